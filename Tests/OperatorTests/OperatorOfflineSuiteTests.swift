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
            let yaml = Self.suite("logged", smallPasses: { $0 <= 10 })
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

    /// An offline suite whose `small` output passes the cases `smallPasses` names, comparing itself
    /// with `baseline` when given.
    static func suite(_ name: String, baseline: String? = nil, smallPasses: (Int) -> Bool) -> String {
        let cases = (1...20).map { index in
            "    - {id: c\(index), outputs: {large: \"yes\", small: \"\(smallPasses(index) ? "yes" : "no")\"}}"
        }
        return """
            apiVersion: eval.assay.dev/v1alpha1
            kind: EvaluationSuite
            metadata:
              name: \(name)
            spec:
              dataset:
                cases:
            \(cases.joined(separator: "\n"))
              criteria:
              - {type: contains, value: "yes"}
              passThreshold: 0.5
            \(baseline.map { "  baseline: {suite: \($0)}" } ?? "")

            """
    }

    @Test("spec.baseline names another suite's finished run; a significant drop sets Regressed and fails the run")
    func baselineSuite() async throws {
        try await OperatorFixture.with(backend: .emulator) { fixture in
            let before = try fixture.apply(Self.suite("last-week", smallPasses: { _ in true }))
            #expect(before.status == 0, "\(before.combined)")
            _ = try await fixture.waitForPhase("last-week", "Succeeded")

            let now = try fixture.apply(Self.suite("this-week", baseline: "last-week", smallPasses: { $0 <= 10 }))
            #expect(now.status == 0, "\(now.combined)")
            let status = try await fixture.waitForPhase("this-week", "Failed")
            let regressed = status["conditions"]?.arrayValue?.first { $0["type"] == "Regressed" }
            #expect(regressed?["status"] == "True", "\(String(describing: status["conditions"]))")
            #expect(regressed?["reason"] == "Regressed")
            #expect(regressed?["message"]?.stringValue?.contains("small: 100.0% -> 50.0%") == true)
            let small = status["baseline"]?["targets"]?.arrayValue?.first { $0["name"] == "small" }
            #expect(small?["regressed"] == true, "\(String(describing: status["baseline"]))")
            #expect(small?["newlyFailing"]?.arrayValue?.count == 10)
            #expect(status["baseline"]?["targets"]?.arrayValue?.first { $0["name"] == "large" }?["regressed"] == false)

            // The same suite compared with itself holds: Regressed=False is what a CI gate waits for.
            let same = try fixture.apply(Self.suite("same-week", baseline: "last-week", smallPasses: { _ in true }))
            #expect(same.status == 0, "\(same.combined)")
            _ = try await fixture.waitForPhase("same-week", "Succeeded")
            let waited = try fixture.kubectl([
                "wait", "evaluationsuite/same-week", "--for=condition=Regressed=false", "--timeout=30s",
            ])
            #expect(waited.output.contains("condition met"), "\(waited.combined)")
        }
    }
}
