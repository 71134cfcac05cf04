import Testing

@testable import Suites

@Suite("Repeat statistics")
struct RepeatStatisticsTests {
    /// One case's repeats as passed flags.
    static func outcomes(_ cases: [String: [Bool]]) -> [TargetOutcomes.Outcome] {
        cases.flatMap { id, passes in
            passes.enumerated().map { index, passed in
                TargetOutcomes.Outcome(
                    caseID: id, repeat: index + 1, cluster: nil,
                    result: TargetResult(target: "t", output: "", passed: passed, score: passed ? 1 : 0, criteria: []))
            }
        }
    }

    @Test(
        "pass^N counts cases passing every repeat, the mean per-case fraction averages cases, flaky lists mixed ones",
        arguments: [
            // cases, repeats, passedAll, meanPassFraction, flaky
            ([:], 3, 0, 0.0, [String]()),
            (["a": [true, true, true]], 3, 1, 1.0, []),
            (["a": [true, false, true], "b": [false, false, false]], 3, 0, 1.0 / 3, ["a"]),
            (
                ["a": [true, true], "b": [true, false], "c": [false, true], "d": [true, true]], 2, 2, 0.75, ["b", "c"]
            ),
            // A case with fewer recorded repeats than the run's (a stopped run) does not pass all.
            (["a": [true], "b": [true, true]], 2, 1, 1.0, []),
        ] as [([String: [Bool]], Int, Int, Double, [String])])
    func statistics(cases: [String: [Bool]], repeats: Int, passedAll: Int, mean: Double, flaky: [String]) {
        let statistics = RepeatStatistics(Self.outcomes(cases), repeats: repeats)
        #expect(statistics.cases == cases.count)
        #expect(statistics.passedAll == passedAll)
        #expect(abs(statistics.meanPassFraction - mean) < 1e-12)
        #expect(statistics.flakyCaseIDs == flaky && statistics.flakyCount == flaky.count)
        #expect(statistics.passAll == (cases.isEmpty ? 0 : Double(passedAll) / Double(cases.count)))
    }

    @Test("with repeats every result of a case shares the case's cluster, so intervals treat its repeats as one")
    func repeatsClusterByCase() {
        let results = [1, 2].flatMap { index in
            ["a", "b"].map { id in
                CaseResult(
                    caseID: id, targets: [TargetResult(target: "t", output: "", passed: true, score: 1, criteria: [])],
                    consumer: "x", repeat: index)
            }
        }
        let outcomes = TargetOutcomes(cases: results, clusters: ["b": "g"]).results(of: "t")
        #expect(outcomes.map(\.cluster) == ["case:a", "cluster:g", "case:a", "cluster:g"])
        #expect(results.map(\.recordKey) == ["a", "b", "a:2", "b:2"])
    }
}
