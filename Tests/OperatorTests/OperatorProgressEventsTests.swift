import AssayCore
import AssayKube
import Foundation
import TestSupport
import Testing

/// The operator follows a running suite through its evaluators' status writes (each one a watch
/// event), not through its own timer: the progress poll is only a safety net, so a platform engineer
/// watching `kubectl get evaluationsuites` sees progress and the final phase as soon as the
/// evaluators report them, however long the poll's interval.
@Suite(
    "The operator follows progress by events", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorProgressEventsTests {
    @Test("with a progress poll of ten minutes a run still shows its progress and reaches Succeeded within seconds")
    func progressWithoutPolling() async throws {
        try await OperatorFixture.with(
            podEnvironment: ["ASSAY_CASE_DELAY_MS": "200"], operatorArguments: ["--progress-interval-seconds", "600"]
        ) { fixture in
            #expect(try fixture.apply(fixture.suiteYAML("evented", cases: 40, concurrency: 2)).status == 0)
            // 40 cases, 2 at a time, 200 ms each: about 4 s of work, written every 0.3 s.
            try await fixture.waitForStatus("evented", "partial progress") { status in
                let completed = OperatorFixture.int(status["progress"]?["completed"]) ?? 0
                return completed > 0 && completed < 40
            }
            let started = ContinuousClock.now
            let status = try await fixture.waitForPhase("evented", "Succeeded", within: .seconds(45))
            let elapsed = ContinuousClock.now - started
            print("partial progress to Succeeded: \(elapsed)")
            #expect(OperatorFixture.int(status["progress"]?["completed"]) == 40)
            let ready = status["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            #expect(ready?["reason"] == "RunSucceeded")
            // The poll would have come after 600 s; the whole run must not wait for it.
            #expect(elapsed < .seconds(45))
        }
    }
}
