import AssayCore
import AssayKube
import Foundation
import TestSupport
import Testing

/// A suite whose evaluators never start (no kubelet runs them) stays Running: nothing can move its
/// run, so the operator neither reads it from Redis on a timer nor sends any request while it waits.
@Suite(
    "The operator with a run whose evaluators never become ready", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorWaitingRunTests {
    @Test(
        "a running suite without ready evaluators costs no Redis read and no request, even across resyncs",
        arguments: KubeBackend.available)
    func waitingRunCostsNothing(backend: KubeBackend) async throws {
        try await OperatorFixture.with(backend: backend, kubeletNamespace: "no-suites-here") { fixture in
            #expect(try fixture.apply(fixture.suiteYAML("waiting", cases: 3)).status == 0)
            try await fixture.waitForPhase("waiting", "Running")
            for kind in [ResourceKind.deployment, .service, .horizontalPodAutoscaler] {
                try await eventually("the \(kind.plural) exist") {
                    try await fixture.exists(kind, "waiting-evaluators")
                }
            }
            // One resync (1 s) first, so that the watch events of the operator's own writes are behind us.
            let settling = try await OperatorEndToEndTests.reconciles(fixture)
            try await eventually("a resync", within: .seconds(15)) {
                try await OperatorEndToEndTests.reconciles(fixture) >= settling + 1
            }
            let before = try await OperatorEndToEndTests.versions(fixture)
            let reconciles = try await OperatorEndToEndTests.reconciles(fixture)
            let commandsBefore = try await OperatorEndToEndTests.redisCommands(fixture)
            let reset = try await LocalHTTP.send(
                "POST", fixture.emulator.baseURL + "/emulator/requests/reset", body: "")
            #expect(reset.status == 200)
            // Three resync periods, several progress intervals (0.3 s) each.
            try await eventually("three resyncs", within: .seconds(15)) {
                try await OperatorEndToEndTests.reconciles(fixture) >= reconciles + 3
            }
            #expect(try await OperatorEndToEndTests.versions(fixture) == before)
            let counts = try JSONParser.parse(
                Array(try await LocalHTTP.get(fixture.emulator.baseURL + "/emulator/requests").body.utf8))
            #expect(counts["byAgent"]?["assay-operator"] == nil, "\(JSONWriter.string(counts))")
            // The one command counted is our own INFO: the stalled run was not read.
            #expect(try await OperatorEndToEndTests.redisCommands(fixture) - commandsBefore <= 1)
            let status = try await fixture.client.get(.evaluationSuite, name: "waiting", namespace: "default")
            #expect(status["status"]?["phase"] == "Running")
        }
    }
}
