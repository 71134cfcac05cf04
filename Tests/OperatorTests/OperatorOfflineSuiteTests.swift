import AssayCore
import Foundation
import Suites
import TestSupport
import Testing

/// An offline suite (no targets; each case carries two models' logged outputs) in a cluster: the
/// operator seeds it, evaluator processes score the outputs without any provider, and the status
/// ends with each target's interval and the paired comparison.
@Suite(
    "An offline suite runs in the cluster and its status carries intervals and the comparison", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorOfflineSuiteTests {
    @Test("two logged outputs per case are compared side by side to Succeeded")
    func offlineSuite() async throws {
        try await OperatorFixture.with(backend: .emulator) { fixture in
            // 20 cases: large passes all of them, small the first 10.
            let cases = (1...20).map { index in
                "    - {id: c\(index), input: q\(index), outputs: {large: \"yes\", small: \"\(index <= 10 ? "yes" : "no")\"}}"
            }
            let yaml = """
                apiVersion: eval.assay.dev/v1alpha1
                kind: EvaluationSuite
                metadata:
                  name: logged
                spec:
                  dataset:
                    cases:
                \(cases.joined(separator: "\n"))
                  criteria:
                  - {type: contains, value: "yes"}
                  passThreshold: 0.5

                """
            let applied = try fixture.apply(yaml)
            #expect(applied.status == 0, "\(applied.combined)")
            let status = try await fixture.waitForPhase("logged", "Succeeded")
            let targets = status["targets"]?.arrayValue ?? []
            #expect(targets.map { $0["name"]?.stringValue } == ["large", "small"], "\(status)")
            // statsmodels proportion_confint(10, 20, method="wilson").
            let small = targets.last?["passRateInterval"]
            #expect(abs((small?["low"]?.doubleValue ?? 0) - 0.2992980081982123) < 1e-9, "\(String(describing: small))")
            #expect(abs((small?["high"]?.doubleValue ?? 0) - 0.7007019918017877) < 1e-9)
            let comparison = status["comparisons"]?.arrayValue?.first
            #expect(comparison?["a"] == "large" && comparison?["b"] == "small", "\(status)")
            #expect(comparison?["difference"] == 0.5)
            // 10 discordant cases, all one way: 2 * 2^-10.
            #expect(abs((comparison?["pValue"]?.doubleValue ?? 0) - 2.0 / 1024) < 1e-12)
            #expect(comparison?["summary"]?.stringValue?.hasPrefix("large vs small: +50.0 pp [") == true)
        }
    }
}
