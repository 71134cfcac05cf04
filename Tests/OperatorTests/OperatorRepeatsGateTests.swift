import AssayCore
import Foundation
import Suites
import TestSupport
import Testing

@testable import Scoring

/// `spec.repeats` with `spec.gate.on: lowerBound` in a cluster: the status's intervals cluster by
/// case, and the phase is decided on the lower bound of that interval, as `run` decides.
@Suite(
    "Repeats gated on the lower bound in the cluster", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorRepeatsGateTests {
    @Test("3 repeats of 20 cases: Wilson's bound over 60 results would pass 0.3, the clustered one fails the run")
    func lowerBoundOnClusteredInterval() async throws {
        try await OperatorFixture.with(backend: .emulator) { fixture in
            // small passes c1–c10 on every repeat: 30 of 60 results, but only 20 independent cases.
            let yaml = OperatorOfflineSuiteTests.suite("repeated", smallPasses: { $0 <= 10 })
                .replacingOccurrences(
                    of: "  passThreshold: 0.5", with: "  passThreshold: 0.3\n  repeats: 3\n  gate: {\"on\": lowerBound}"
                )
            let applied = try fixture.apply(yaml)
            #expect(applied.status == 0, "\(applied.combined)")
            let status = try await fixture.waitForPhase("repeated", "Failed")
            let small = status["targets"]?.arrayValue?.first { $0["name"] == "small" }
            let interval = small?["passRateInterval"]
            let naive = try ProportionInterval.wilson(successes: 30, trials: 60)
            #expect(naive.low > 0.3)
            // Cases are the clusters: 0.5 ± 1.96 · sqrt(20/19 · 20 · 1.5²) / 60.
            let halfWidth = 1.959963984540054 * (20.0 / 19 * 20 * 2.25).squareRoot() / 60
            #expect(interval?["method"] == "cluster-robust", "\(String(describing: small))")
            #expect(abs((interval?["low"]?.doubleValue ?? 0) - (0.5 - halfWidth)) < 1e-9)
            #expect(abs((interval?["high"]?.doubleValue ?? 0) - (0.5 + halfWidth)) < 1e-9)
            #expect(small?["meanScore"] == 0.5)
            #expect(small?["meanScoreInterval"]?["method"] == "cluster-robust")
            #expect(abs((small?["meanScoreInterval"]?["low"]?.doubleValue ?? 0) - (0.5 - halfWidth)) < 1e-9)
        }
    }
}
