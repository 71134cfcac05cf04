import AssayCore
import Testing

@testable import Scoring
@testable import Suites

/// With `spec.repeats` > 1 the case is the unit of every paired comparison: between targets and
/// against a baseline (whatever its repeat count).
@Suite("Comparisons with repeats: per-case pass fractions")
struct RepeatedComparisonTests {
    /// A complete run: `outcomes[case][target]` lists that target's passes over the repeats.
    static func run(_ outcomes: [[[Bool]]], repeats: Int) -> (RunAggregates, [CaseResult]) {
        let names = (0..<(outcomes.first?.count ?? 0)).map { "t\($0)" }
        let info = RunInfo(
            id: RunID("run-1")!, suiteName: "s", total: outcomes.count * repeats, targets: names, criteria: [],
            passThreshold: 0.5, repeats: repeats)
        var counters: [String: Double] = ["cases": Double(outcomes.count * repeats)]
        var cases: [CaseResult] = []
        for repeatIndex in 1...repeats {
            for (index, row) in outcomes.enumerated() {
                let targets = zip(names, row).map { name, passes in
                    let passed = passes[repeatIndex - 1]
                    counters["t:\(name):\(passed ? "passed" : "failed")", default: 0] += 1
                    return TargetResult(target: name, output: "", passed: passed, score: passed ? 1 : 0, criteria: [])
                }
                cases.append(CaseResult(caseID: "c\(index)", targets: targets, consumer: "x", repeat: repeatIndex))
            }
        }
        let aggregates = RunAggregates(info: info, counters: counters, samples: [:], seeded: true, cancelled: false)
        return (aggregates, cases)
    }

    static func baseline(_ passes: [[Bool]]) -> BaselineReport {
        var outcomes: [String: BaselineReport.Outcome] = [:]
        for (index, runs) in passes.enumerated() {
            var tally = BaselineReport.Outcome(caseID: "c\(index)", passed: runs[0], score: runs[0] ? 1 : 0)
            for passed in runs.dropFirst() { tally.add(passed: passed, score: passed ? 1 : 0) }
            outcomes["c\(index)"] = tally
        }
        return BaselineReport(targets: ["t0": outcomes])
    }

    @Test(
        "targets are compared over cases, not (case, repeat) pairs: a case's repeats count once, and the p-value is no longer inflated"
    )
    func comparisonOverCases() throws {
        // 30 cases of 4 repeats; the 6 hard ones fail every repeat for t1, pass every one for t0:
        // per (case, repeat) that is 24 discordant pairs, per case only 6.
        let (t, f) = (true, false)
        let outcomes = (0..<30).map { index in
            index < 6 ? [[t, t, t, t], [f, f, f, f]] : [[t, f, t, t], [t, t, f, t]]
        }
        let (aggregates, cases) = Self.run(outcomes, repeats: 4)
        let analysis = RunAnalysis(aggregates, cases: cases, spec: RunAnalysisTests.spec())
        let comparison = try #require(analysis.comparisons.first?.result)
        #expect(comparison.test == .pairedCluster && comparison.cases == 30)
        #expect(abs(comparison.difference - 6.0 / 30) < 1e-12)
        #expect(comparison.interval.method == .pairedCluster && comparison.interval.contains(comparison.difference))
        // Treating the 120 (case, repeat) pairs as independent would claim far more certainty.
        let naive = try PairedComparison.compare(
            cases.map { item in
                PairedComparison.Case(
                    passedA: item.targets[0].passed, passedB: item.targets[1].passed, scoreA: 0, scoreB: 0)
            })
        #expect(naive.cases == 120 && naive.pValue < comparison.pValue)
        let json = try #require(analysis.json(merging: [:])["comparisons"]?.arrayValue?.first)
        #expect(json["test"] == "paired-cluster" && json["cases"] == 30)
        #expect(json["interval"]?["method"] == "paired-cluster")
    }

    @Test(
        "a baseline with another repeat count still compares, case by case, and newly failing means failing most repeats",
        arguments: [1, 2, 5])
    func baselineWithOtherRepeats(baselineRepeats: Int) throws {
        // Now 3 repeats: c0-c7 fail all three, c8 fails two (majority failing), c9 fails one
        // (flaky but passing by majority), the rest pass all. The baseline passed everything.
        let (t, f) = (true, false)
        let now: [[[Bool]]] = (0..<24).map { index in
            switch index {
            case 0..<8: [[f, f, f]]
            case 8: [[t, f, f]]
            case 9: [[t, t, f]]
            default: [[t, t, t]]
            }
        }
        let (aggregates, cases) = Self.run(now, repeats: 3)
        let before = Self.baseline((0..<24).map { _ in Array(repeating: true, count: baselineRepeats) })
        let analysis = RunAnalysis(aggregates, cases: cases, spec: RunAnalysisTests.spec(), baseline: before)
        let target = try #require(analysis.baseline?.targets.first)
        #expect(target.test == .pairedCluster && target.cases == 24)
        #expect(target.baselinePassRate == 1)
        #expect(abs(target.passRate - (14 + 1.0 / 3 + 2.0 / 3) / 24) < 1e-12)
        #expect(abs(target.difference - (target.passRate - 1)) < 1e-12)
        #expect(target.newlyFailing == (0...8).map { "c\($0)" })
        #expect(target.newlyPassing.isEmpty)
        #expect(target.regressed && target.pValue < 0.001)
        #expect(analysis.baseline?.json["targets"]?.arrayValue?.first?["test"] == "paired-cluster-one-sided")
    }

    @Test("newly failing and newly passing cases are listed by case id, whatever order their results finished in")
    func baselineListsInCaseOrder() throws {
        // c0-c4 fail now and passed before; c5 passes now and failed before.
        let now: [[[Bool]]] = (0..<8).map { [[$0 >= 5]] }
        let before = Self.baseline((0..<8).map { [$0 != 5] })
        let (aggregates, cases) = Self.run(now, repeats: 1)
        for order in [cases, cases.reversed(), [cases[3], cases[0], cases[4], cases[2], cases[1]] + cases[5...]] {
            let analysis = RunAnalysis(aggregates, cases: order, spec: RunAnalysisTests.spec(), baseline: before)
            let target = try #require(analysis.baseline?.targets.first)
            #expect(target.newlyFailing == ["c0", "c1", "c2", "c3", "c4"])
            #expect(target.newlyPassing == ["c5"])
        }
    }

    @Test("a baseline and a run both without repeats keep McNemar's exact test")
    func baselineWithoutRepeats() throws {
        let (aggregates, cases) = RunAnalysisTests.run((0..<20).map { [$0 >= 8] })
        let before = Self.baseline((0..<20).map { _ in [true] })
        let analysis = RunAnalysis(aggregates, cases: cases, spec: RunAnalysisTests.spec(), baseline: before)
        let target = try #require(analysis.baseline?.targets.first)
        #expect(target.test == .mcnemarExact && target.interval.method == .newcombe)
        #expect(abs(target.pValue - 1.0 / 256) < 1e-15)
    }

    @Test("a baseline report's repeats are tallied per case, in any order")
    func baselineReportTallies() throws {
        let results = [
            CaseResult(caseID: "a", targets: [Self.result(true)], consumer: "x", repeat: 1),
            CaseResult(caseID: "b", targets: [Self.result(false)], consumer: "x", repeat: 1),
            CaseResult(caseID: "a", targets: [Self.result(false)], consumer: "x", repeat: 2),
            CaseResult(caseID: "a", targets: [Self.result(true)], consumer: "x", repeat: 3),
        ]
        let report = BaselineReport(results: results)
        let a = try #require(report.targets["t0"]?["a"])
        #expect(a.passed == 2 && a.results == 3 && a.passedByMajority && abs(a.meanScore - 2.0 / 3) < 1e-12)
        #expect(report.targets["t0"]?["b"]?.results == 1 && report.targets["t0"]?["b"]?.passedByMajority == false)
    }

    static func result(_ passed: Bool) -> TargetResult {
        TargetResult(target: "t0", output: "", passed: passed, score: passed ? 1 : 0, criteria: [])
    }
}
