import AssayCore
import AssayKube
import Foundation
import Suites
import TestSupport
import Testing

/// A suite whose evaluators never start (no kubelet runs them) stays Running: nothing can move its
/// run, so the operator neither reads it from Redis on a timer nor sends any request while it waits;
/// but it notices when Redis loses the run.
@Suite(
    "The operator with a run whose evaluators never become ready", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorWaitingRunTests {
    @Test(
        "a running suite without ready evaluators costs no Redis read and no request, even across resyncs",
        arguments: KubeBackend.available)
    func waitingRunCostsNothing(backend: KubeBackend) async throws {
        // Without the Redis data check (a GET every few seconds, counted below as a read otherwise).
        try await OperatorFixture.with(
            backend: backend, operatorArguments: ["--redis-check-seconds", "0"], kubeletNamespace: "no-suites-here"
        ) { fixture in
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

    @Test(
        "a Redis flushed while the run waits for evaluators is seeded again within seconds, though nothing on the resource changed"
    )
    func flushedRedisIsNoticed() async throws {
        try await OperatorFixture.with(
            operatorArguments: ["--redis-check-seconds", "0.5"], kubeletNamespace: "no-suites-here"
        ) { fixture in
            #expect(try fixture.apply(fixture.suiteYAML("flushed", cases: 3)).status == 0)
            let status = try await fixture.waitForPhase("flushed", "Running")
            let run = try #require(RunID(status["runID"]?.stringValue ?? ""))
            let meta = RunKeys(run).meta
            let redis = fixture.redisClient()
            #expect(try await redis.send(["HGET", meta, "total"]).text == "3")
            // Past a resync (1 s), so the suite is settled: nothing reads its run on a timer.
            let reconciles = try await OperatorEndToEndTests.reconciles(fixture)
            try await eventually("a resync", within: .seconds(15)) {
                try await OperatorEndToEndTests.reconciles(fixture) >= reconciles + 2
            }
            #expect(try await redis.send(["FLUSHALL"]) == .status("OK"))
            try await eventually("the run is seeded again", within: .seconds(15)) {
                try await redis.send(["HGET", meta, "total"]).text == "3"
            }
            #expect(try await redis.send(["XLEN", RunKeys(run).cases]).integer == 3)
            #expect(fixture.operators[0].tail(200).contains("Redis lost its data"))
        }
    }

    @Test(
        "a burst of new suites costs five writes a suite: the Deployment, the finalizer, the Service, the HPA and one status write, no Event and no 409"
    )
    func burstWritesPerSuite() async throws {
        let suites = 20
        try await OperatorFixture.with(
            operatorArguments: ["--redis-check-seconds", "0"], kubeletNamespace: "no-suites-here"
        ) { fixture in
            let yaml = (0..<suites).map { fixture.suiteYAML("burst-\($0)", cases: 2) }.joined(separator: "---\n")
            #expect(try fixture.apply(yaml).status == 0)
            for index in 0..<suites {
                try await fixture.waitForPhase("burst-\(index)", "Running")
                try await eventually("burst-\(index)'s HPA exists") {
                    try await fixture.exists(.horizontalPodAutoscaler, "burst-\(index)-evaluators")
                }
            }
            // Past a resync (1 s): every reconcile the burst set off is behind us.
            let reconciles = try await OperatorEndToEndTests.reconciles(fixture)
            try await eventually("a resync", within: .seconds(15)) {
                try await OperatorEndToEndTests.reconciles(fixture) >= reconciles + 2
            }
            let counts = try JSONParser.parse(
                Array(try await LocalHTTP.get(fixture.emulator.baseURL + "/emulator/requests").body.utf8))
            let ours = counts["byAgent"]?["assay-operator"]
            func writes(_ resource: String, _ verb: String) -> Int {
                Int(ours?[resource]?[verb]?.doubleValue ?? 0)
            }
            let report = JSONWriter.string(ours ?? .null)
            // A status planned from a cache still behind our own finalizer patch would meet a 409
            // and count here a second time.
            #expect(writes("evaluationsuites.eval.assay.dev/status", "patch") == suites, "\(report)")
            #expect(writes("evaluationsuites.eval.assay.dev", "patch") == suites, "\(report)")
            for resource in ["deployments.apps", "services", "horizontalpodautoscalers.autoscaling"] {
                #expect(writes(resource, "patch") == suites, "\(resource): \(report)")
            }
            #expect(writes("events", "create") == 0, "\(report)")
        }
    }
}
