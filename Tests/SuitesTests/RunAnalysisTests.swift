import AssayCore
import Testing

@testable import Suites

@Suite("Run analysis: gates, comparisons, baselines and error reasons")
struct RunAnalysisTests {
    /// A complete run of `outcomes.count` cases; `outcomes[i][t]` is target t's pass on case i.
    static func run(_ outcomes: [[Bool]], errors: [String?] = [], passThreshold: Double = 0.5)
        -> (RunAggregates, [CaseResult])
    {
        let names = (0..<(outcomes.first?.count ?? 0)).map { "t\($0)" }
        let info = RunInfo(
            id: RunID("run-1")!, suiteName: "s", total: outcomes.count, targets: names, criteria: [],
            passThreshold: passThreshold)
        var counters: [String: Double] = ["cases": Double(outcomes.count)]
        var cases: [CaseResult] = []
        for (index, row) in outcomes.enumerated() {
            var targets: [TargetResult] = []
            for (name, passed) in zip(names, row) {
                counters["t:\(name):\(passed ? "passed" : "failed")", default: 0] += 1
                let error = index < errors.count && name == "t0" ? errors[index] : nil
                targets.append(
                    TargetResult(
                        target: name, output: "", passed: passed, score: passed ? 1 : 0, criteria: [], error: error))
            }
            cases.append(CaseResult(caseID: "c\(index)", targets: targets, consumer: "x"))
        }
        let aggregates = RunAggregates(info: info, counters: counters, samples: [:], seeded: true, cancelled: false)
        return (aggregates, cases)
    }

    static func spec(gate: GateSpec = GateSpec(), compare: CompareSpec = CompareSpec()) -> EvaluationSuiteSpec {
        EvaluationSuiteSpec(
            targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5, gate: gate, compare: compare)
    }

    @Test(
        "the gate is the pass rate, or with lowerBound its Wilson lower bound",
        arguments: [
            (9, 10, GateSpec.Bound.estimate, 0.8, RunVerdict.pass),
            (9, 10, .lowerBound, 0.8, .fail),
            (9, 10, .lowerBound, 0.59, .pass),
            (0, 10, .lowerBound, 0, .pass),
            (10, 10, .lowerBound, 0.72, .pass),
            (10, 10, .lowerBound, 0.75, .fail),
        ])
    func gate(passed: Int, total: Int, on bound: GateSpec.Bound, threshold: Double, expected: RunVerdict) {
        let (aggregates, _) = Self.run((0..<total).map { [$0 < passed] })
        let verdict = RunVerdict(target: aggregates.targets[0], passThreshold: threshold, gate: GateSpec(on: bound))
        #expect(verdict == expected)
    }

    @Test(
        "pairs are every pair in target order, or each target against the reference",
        arguments: [
            (nil, ["a", "b", "c"], ["a-b", "a-c", "b-c"]),
            ("b", ["a", "b", "c"], ["a-b", "c-b"]),
            ("zz", ["a", "b"], ["a-b"]),
        ] as [(String?, [String], [String])])
    func pairs(reference: String?, targets: [String], expected: [String]) {
        #expect(CompareSpec(reference: reference).pairs(targets).map { "\($0.a)-\($0.b)" } == expected)
    }

    @Test(
        "a baseline regression needs a one-sided p below alpha and a drop above maxRegression",
        arguments: [
            // 20 cases: the target passed all before; now fails `newlyFailing` of them.
            (8, GateSpec(), true),
            (2, GateSpec(), false),
            (8, GateSpec(alpha: 0.001), false),
            (8, GateSpec(maxRegression: 0.5), false),
            (0, GateSpec(), false),
        ])
    func baseline(newlyFailing: Int, gate: GateSpec, regressed: Bool) {
        let (aggregates, cases) = Self.run((0..<20).map { [$0 >= newlyFailing] })
        let before = BaselineReport(
            targets: [
                "t0": Dictionary(
                    uniqueKeysWithValues: (0..<20).map {
                        ("c\($0)", BaselineReport.Outcome(caseID: "c\($0)", passed: true, score: 1))
                    })
            ])
        let analysis = RunAnalysis(aggregates, cases: cases, spec: Self.spec(gate: gate), baseline: before)
        let target = analysis.baseline?.targets.first
        #expect(target?.regressed == regressed)
        #expect(target?.newlyFailing.count == newlyFailing)
        #expect(analysis.verdict == (regressed ? .fail : .pass))
        #expect(abs((target?.difference ?? 1) + Double(newlyFailing) / 20) < 1e-12)
    }

    @Test("error reasons are counted, most frequent first, at most five")
    func errorReasons() {
        let reasons = ["a", "b", "b", "c", "c", "c", "d", "e", "f", nil]
        let (aggregates, cases) = Self.run(reasons.map { _ in [false] }, errors: reasons)
        let analysis = RunAnalysis(aggregates, cases: cases, spec: Self.spec())
        let top = analysis.targets[0].errorReasons
        #expect(top.map(\.reason) == ["c", "b", "a", "d", "e"])
        #expect(top.map(\.count) == [3, 2, 1, 1, 1])
    }

    @Test("mean-score intervals are cluster-robust when cases share a cluster, and reported as such")
    func clusters() throws {
        let (aggregates, cases) = Self.run((0..<8).map { [$0 % 3 == 0] })
        let clusters = Dictionary(uniqueKeysWithValues: (0..<8).map { ("c\($0)", "k\($0 / 2)") })
        let plain = RunAnalysis(aggregates, cases: cases, spec: Self.spec())
        let clustered = RunAnalysis(aggregates, cases: cases, clusters: clusters, spec: Self.spec())
        #expect(plain.targets[0].meanScoreInterval?.method == .normal)
        #expect(clustered.targets[0].meanScoreInterval?.method == .clusterRobust)
        #expect(clustered.targets[0].meanScoreInterval?.clusters == 4)
    }

    @Test(
        "gate, compare and confidenceLevel decode with field paths",
        arguments: [
            ("gate: {on: upperBound}", "spec.gate.on"),
            ("gate: {alpha: 1.5}", "spec.gate.alpha"),
            ("confidenceLevel: 1", "spec.confidenceLevel"),
            ("compare: {reference: nope}", "spec.compare.reference"),
            ("baseline: {}", "spec.baseline: must name exactly one of suite or configMap"),
            ("baseline: {configMap: {name: b}}", "spec.baseline.configMap.key"),
        ])
    func decoding(line: String, path: String) {
        let text = """
            apiVersion: eval.assay.dev/v1alpha1
            kind: EvaluationSuite
            metadata: {name: s}
            spec:
              targets: [{name: m, prompt: "{{input}}", providers: [{type: openai, model: m}]}]
              dataset: {cases: [{id: a}]}
              criteria: [{type: contains, value: x}]
              \(line)
            """
        let error = #expect(throws: SuiteError.self) { try EvaluationSuite.parse(text, source: "s.yaml") }
        #expect("\(String(describing: error))".contains(path), "\(String(describing: error))")
    }

    @Test("the status's targets carry Wilson intervals at the suite's level and read back unchanged")
    func statusIntervals() throws {
        let (aggregates, _) = Self.run((0..<20).map { [$0 < 18] })
        let progress = SuiteProgress(aggregates, level: 0.9)
        let interval = try #require(progress.targets.first?.passRateInterval)
        #expect(interval.level == 0.9 && interval.low < 0.9 && interval.high > 0.9)
        let status = JSONValue.object(JSONObject(progress.members))
        #expect(status["targets"]?.arrayValue?.first?["passRateInterval"]?["method"] == "wilson")
        #expect(SuiteProgress(status: status) == progress)
    }
}
