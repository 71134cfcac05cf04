import AssayCore
import Testing

@testable import Suites

@Suite("Run results and aggregates")
struct RunResultsTests {
    static let info = RunInfo(
        id: RunID("test-run")!, suiteName: "capitals", total: 4, targets: ["small", "large"],
        criteria: ["contains", "length"], passThreshold: 0.5)

    static func result(_ id: String, small: (Bool, Double), large: (Bool, Double), error: Bool = false) -> CaseResult {
        func target(_ name: String, _ outcome: (Bool, Double), latency: Double) -> TargetResult {
            TargetResult(
                target: name, output: "out-\(id)", provider: "openai", latencyMs: latency, inputTokens: 10,
                outputTokens: 3, passed: outcome.0, score: outcome.1,
                criteria: [
                    CriterionScore(
                        name: "contains", type: "contains", passed: outcome.0, score: outcome.0 ? 1 : 0, reason: "r"),
                    CriterionScore(name: "length", type: "length", passed: true, score: outcome.1, reason: "r"),
                ])
        }
        var large = target("large", large, latency: 200)
        if error {
            large.criteria = []
            large.error = "every provider failed"
        }
        return CaseResult(
            caseID: id, targets: [target("small", small, latency: Double(id.count) * 10), large], consumer: "c")
    }

    static let results = [
        result("a", small: (true, 1), large: (true, 0.5)),
        result("bb", small: (false, 0.25), large: (true, 1)),
        result("ccc", small: (true, 0.75), large: (false, 0), error: true),
    ]

    @Test("aggregates count passes, criteria, tokens, latency percentiles and failing ids per target")
    func aggregates() {
        let aggregates = RunTally(Self.results).aggregates(info: Self.info, seeded: true, cancelled: false)
        #expect(aggregates.recorded == 3 && aggregates.passed == 1 && !aggregates.isComplete)
        #expect(aggregates.phase == .running)
        let small = aggregates.targets[0]
        #expect(small.passed == 2 && small.failed == 1 && small.errors == 0)
        #expect(small.inputTokens == 30 && small.outputTokens == 9)
        #expect(small.latencyP50Ms == 20 && small.latencyP95Ms == 30)
        #expect(small.criteria[0].passRate == 2.0 / 3 && small.criteria[1].meanScore == 2.0 / 3)
        #expect(small.failingCaseIDs == ["bb"])
        let large = aggregates.targets[1]
        #expect(large.errors == 1 && large.failingCaseIDs == ["ccc"])
        #expect(large.criteria[0].count == 2, "an errored target carries no criteria")
        #expect(aggregates.meetsThreshold)
    }

    @Test("a case result survives its JSON form")
    func roundTrip() throws {
        for result in Self.results {
            #expect(try CaseResult.decode(JSONParser.parse(JSONWriter.string(result.json))) == result)
        }
    }

    @Test(
        "nearest-rank percentiles",
        arguments: [(0.5, 1, 0), (0.5, 2, 0), (0.5, 3, 1), (0.95, 20, 18), (0.95, 100, 94), (0.95, 21, 19)])
    func percentiles(quantile: Double, count: Int, index: Int) {
        #expect(RunAggregates.nearestRank(quantile, count: count) == index)
    }

    @Test("the in-process queue hands out each case once and counts each result once")
    func localQueue() async throws {
        let queue = LocalWorkQueue()
        let cases = ["a", "bb", "ccc", "dddd"].map { SuiteCase(id: $0, output: $0) }
        let plan = RunPlan(
            id: Self.info.id, suiteName: "capitals", cases: cases, targets: Self.info.targets,
            criteria: Self.info.criteria, passThreshold: 0.5)
        try await queue.prepare(plan)
        try await queue.prepare(plan)
        let first = try await queue.claim(max: 3)
        let second = try await queue.claim(max: 3)
        #expect(first.count + second.count == 4)
        for (claimed, result) in zip(first, Self.results) {
            #expect(try await queue.record(result, for: claimed) == .recorded)
            #expect(try await queue.record(result, for: claimed) == .duplicate)
        }
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates == RunTally(Self.results).aggregates(info: plan.info, seeded: true, cancelled: false))
        #expect(try await queue.results(offset: 1, limit: 5).map(\.caseID) == ["bb", "ccc"])
        try await queue.cancel()
        #expect(
            try await queue.record(Self.result("dddd", small: (true, 1), large: (true, 1)), for: second[0])
                == .cancelled)
        #expect(try await queue.aggregates()?.phase == .cancelled)
    }

    @Test("run ids come from the resource's uid and generation, or from the content")
    func runIDs() {
        #expect(RunID.resource(uid: "0b4f-11", generation: 3).rawValue == "0b4f-11-g3")
        let a = RunID.content(name: "capitals", documents: ["spec", "cases"])
        #expect(a == RunID.content(name: "capitals", documents: ["spec", "cases"]))
        #expect(a != RunID.content(name: "capitals", documents: ["spec", "cases2"]))
        #expect(a != RunID.content(name: "capitals", documents: ["specc", "ases"]))
        #expect(a.rawValue.hasPrefix("capitals-"))
        #expect(RunID("bad id") == nil && RunID("") == nil)
    }
}
