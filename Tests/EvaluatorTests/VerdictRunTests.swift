import AssayCore
import Foundation
import TestSupport
import Testing

/// `assay-evaluator run` on offline suites: intervals, paired comparisons and a baseline gate,
/// end to end through the built executable.
@Suite("assay-evaluator run: verdicts with intervals, comparisons and baselines")
struct VerdictRunTests {
    static let suite = """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: offline-pair}
        spec:
          dataset: {file: cases.jsonl}
          criteria:
          - {type: contains, value: "yes"}
          passThreshold: 0.5
        """

    /// 20 cases: `large` passes c1...c18; `small` passes the cases `smallPasses` names.
    static func cases(smallPasses: (Int) -> Bool) -> String {
        (1...20).map { index in
            let large = index <= 18 ? "yes" : "no"
            let small = smallPasses(index) ? "yes" : "no"
            return
                "{\"id\": \"c\(index)\", \"input\": \"q\(index)\", \"outputs\": {\"large\": \"\(large)\", \"small\": \"\(small)\"}}"
        }.joined(separator: "\n")
    }

    static func report(_ output: [String]) throws -> JSONValue {
        try JSONParser.parse(try #require(output.first { $0.hasPrefix("{\"id\"") }))
    }

    /// Runs the suite once into `baseline.json` (small passes c1...c18), then makes this week's
    /// cases: small passes c1...c10 and c19 (8 newly failing, 1 newly passing).
    static func baselineThenDrop() async throws -> (suite: String, baseline: String) {
        let directory = try RunCommandTests.directory([
            "suite.yaml": Self.suite, "cases.jsonl": Self.cases { $0 <= 18 },
        ])
        let suitePath = directory.appendingPathComponent("suite.yaml").path
        let baselinePath = directory.appendingPathComponent("baseline.json").path
        let (first, firstOutput) = try await RunCommandTests.run([suitePath, "--output", "json", "--out", baselinePath])
        #expect(first == 0, "\(firstOutput.joined(separator: "\n"))")
        try Self.cases { $0 <= 10 || $0 == 19 }.write(
            to: directory.appendingPathComponent("cases.jsonl"), atomically: true, encoding: .utf8)
        return (suitePath, baselinePath)
    }

    @Test(
        "an offline suite with two outputs reports Wilson intervals, a McNemar comparison, and a baseline regression exits 1"
    )
    func offlineBaseline() async throws {
        let (suitePath, baselinePath) = try await Self.baselineThenDrop()
        let (status, output) = try await RunCommandTests.run([
            suitePath, "--output", "json", "--baseline", baselinePath,
        ])
        #expect(status == 1, "\(output.joined(separator: "\n"))")
        let report = try Self.report(output)
        let targets = try #require(report["targets"]?.arrayValue)
        #expect(targets.map { $0["name"]?.stringValue } == ["large", "small"])
        // statsmodels proportion_confint(18, 20, method="wilson") and (11, 20).
        let large = try #require(targets[0]["passRateInterval"])
        #expect(abs((large["low"]?.doubleValue ?? 0) - 0.6989663547715128) < 1e-9)
        #expect(abs((large["high"]?.doubleValue ?? 0) - 0.9721335187862319) < 1e-9)
        #expect(large["method"] == "wilson" && large["level"] == 0.95)
        let small = try #require(targets[1]["passRateInterval"])
        #expect(abs((small["low"]?.doubleValue ?? 0) - 0.34208534245034233) < 1e-9)
        #expect(abs((small["high"]?.doubleValue ?? 0) - 0.7418021417443759) < 1e-9)
        #expect(targets[0]["criteria"]?.arrayValue?.first?["passRateInterval"]?["method"] == "wilson")
        #expect(targets[0]["meanScoreInterval"]?["method"] == "normal")

        let comparison = try #require(report["comparisons"]?.arrayValue?.first)
        #expect(comparison["a"] == "large" && comparison["b"] == "small" && comparison["cases"] == 20)
        #expect(abs((comparison["difference"]?.doubleValue ?? 0) - 0.35) < 1e-12)
        // Discordant 8 against 1: 2 * P(X <= 1 | 9, 1/2) = 20/512.
        #expect(abs((comparison["pValue"]?.doubleValue ?? 0) - 20.0 / 512) < 1e-12)
        #expect(comparison["test"] == "mcnemar-exact")

        let baseline = try #require(report["baseline"])
        #expect(baseline["regressed"] == true)
        let regressed = try #require(baseline["targets"]?.arrayValue?.first { $0["name"] == "small" })
        #expect(regressed["regressed"] == true)
        #expect(abs((regressed["pValue"]?.doubleValue ?? 0) - 10.0 / 512) < 1e-12)
        #expect(abs((regressed["difference"]?.doubleValue ?? 0) + 0.35) < 1e-12)
        #expect(regressed["newlyFailing"]?.arrayValue?.count == 8)
        #expect(regressed["newlyPassing"] == ["c19"])
        #expect(baseline["targets"]?.arrayValue?.first { $0["name"] == "large" }?["regressed"] == false)
        #expect(report["verdict"] == "FAIL")

        let (_, table) = try await RunCommandTests.run([suitePath, "--baseline", baselinePath])
        let text = table.joined(separator: "\n")
        #expect(text.contains("90.0% [69.9, 97.2]"), "\(text)")
        #expect(text.contains("large vs small: +35.0 pp ["), "\(text)")
        #expect(text.contains("p = 0.039"), "\(text)")
        #expect(text.contains("Baseline: REGRESSED"), "\(text)")
        #expect(text.contains("newly failing: c11, c12"), "\(text)")
        #expect(text.contains("Verdict: FAIL (small regressed)"), "\(text)")
    }

    @Test(
        "with --repeats 3 against a baseline of one repeat, comparisons and the baseline pair per case; repeats that agree are McNemar's"
    )
    func repeatedBaseline() async throws {
        let (suitePath, baselinePath) = try await Self.baselineThenDrop()
        let arguments = [suitePath, "--repeats", "3", "--baseline", baselinePath]
        let (status, output) = try await RunCommandTests.run(arguments + ["--output", "json"])
        #expect(status == 1, "\(output.joined(separator: "\n"))")
        let report = try Self.report(output)

        // 20 cases, not 60 (case, repeat) pairs; the outputs are fixed, so every case's repeats
        // agree and the comparison is McNemar's over cases, exactly as without repeats.
        let comparison = try #require(report["comparisons"]?.arrayValue?.first)
        #expect(comparison["test"] == "mcnemar-exact" && comparison["cases"] == 20, "\(comparison)")
        #expect(abs((comparison["pValue"]?.doubleValue ?? 0) - 20.0 / 512) < 1e-12)
        let small = try #require(report["baseline"]?["targets"]?.arrayValue?.first { $0["name"] == "small" })
        #expect(small["test"] == "mcnemar-exact-one-sided" && small["cases"] == 20, "\(small)")
        #expect(abs((small["pValue"]?.doubleValue ?? 0) - 10.0 / 512) < 1e-12)
        #expect(small["regressed"] == true && small["newlyFailing"]?.arrayValue?.count == 8)
        #expect(small["newlyPassing"] == ["c19"])

        let (_, table) = try await RunCommandTests.run(arguments)
        let text = table.joined(separator: "\n")
        #expect(text.contains("Comparisons (paired, 95% CI, McNemar exact):"), "\(text)")
        #expect(
            text.contains("large: 90.0% -> 90.0%, 0.0 pp [-"), "nothing changed, and the interval has width: \(text)")
        #expect(text.contains("Verdict: FAIL (small regressed)"), "\(text)")
    }

    @Test("a case without an output for a target exits 2 naming the case and field")
    func missingOutput() async throws {
        let directory = try RunCommandTests.directory([
            "suite.yaml": Self.suite,
            "cases.jsonl": "{\"id\": \"a\", \"outputs\": {\"large\": \"yes\", \"small\": \"no\"}}\n"
                + "{\"id\": \"b\", \"outputs\": {\"large\": \"yes\"}}\n",
        ])
        let (status, output) = try await RunCommandTests.run([directory.appendingPathComponent("suite.yaml").path])
        #expect(status == 2)
        #expect(output.contains { $0.contains("case \"b\" has no outputs.small") }, "\(output)")
    }

    @Test("gate.on lowerBound fails a target whose rate meets the threshold but whose interval does not")
    func lowerBoundGate() async throws {
        let cases = (1...10).map { "{\"id\": \"c\($0)\", \"output\": \"\($0 <= 9 ? "yes" : "no")\"}" }
        for (gate, expected) in [("estimate", Int32(0)), ("lowerBound", Int32(1))] {
            let directory = try RunCommandTests.directory([
                "suite.yaml": Self.suite.replacingOccurrences(of: "0.5", with: "0.8\n  gate: {on: \(gate)}"),
                "cases.jsonl": cases.joined(separator: "\n"),
            ])
            let (status, output) = try await RunCommandTests.run([directory.appendingPathComponent("suite.yaml").path])
            #expect(status == expected, "\(gate): \(output.joined(separator: "\n"))")
            #expect(output.contains { $0.hasPrefix("output") && $0.contains("90.0% [59.6, 98.2]") }, "\(output)")
        }
    }
}
