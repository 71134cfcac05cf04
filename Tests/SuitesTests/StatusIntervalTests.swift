import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Scoring
@testable import Suites

/// The cluster status's intervals and verdict come from the run's counters alone, and agree with
/// the local JSON report computed from every result.
@Suite("Status intervals and the cluster verdict", .serialized)
struct StatusIntervalTests {
    /// 12 cases × 3 repeats of target `a`: c0–c8 pass every repeat, c9 passes 2 of 3 (flaky),
    /// c10 and c11 fail every repeat. Repeats of a case agree, so they are far from independent.
    static func results(repeats: Int = 3) -> [CaseResult] {
        var results: [CaseResult] = []
        for repeatIndex in 1...repeats {
            for index in 0..<12 {
                let passed = index < 9 || (index == 9 && repeatIndex < 3)
                let score = passed ? 0.8 + 0.05 * Double(repeatIndex) : 0.1 * Double(index % 3)
                results.append(
                    CaseResult(
                        caseID: "c\(index)",
                        targets: [TargetResult(target: "a", output: "", passed: passed, score: score, criteria: [])],
                        consumer: "x", repeat: repeatIndex))
            }
        }
        return results
    }

    static func info(repeats: Int, gate: GateSpec = GateSpec(), passThreshold: Double = 0.5) -> RunInfo {
        RunInfo(
            id: RunID("run-status")!, suiteName: "s", total: 12 * repeats, targets: ["a"], criteria: [],
            passThreshold: passThreshold, repeats: repeats, gate: gate)
    }

    static func spec(repeats: Int) -> EvaluationSuiteSpec {
        EvaluationSuiteSpec(targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5, repeats: repeats)
    }

    static func expectClose(_ a: JSONValue?, _ b: JSONValue?, _ what: String) {
        for key in ["low", "high", "level"] {
            let x = a?[key]?.doubleValue ?? .nan
            let y = b?[key]?.doubleValue ?? .nan
            #expect(abs(x - y) < 1e-12, "\(what).\(key): status \(x), report \(y)")
        }
        #expect(a?["method"] == b?["method"], "\(what).method")
    }

    /// Records `results` of `plan` through a worker that never prepared the run (it learns the
    /// run from the meta, as pods do); the aggregates and stored results a third client reads.
    static func record(_ results: [CaseResult], plan: RunPlan, server: RedisServer) async throws -> (
        RunAggregates?, [CaseResult]
    ) {
        let preparer = RedisWorkQueue(
            redis: RedisClient(server.clientConfiguration()), configuration: .init(run: plan.id, consumer: "operator"))
        try await preparer.prepare(plan)
        let worker = RedisWorkQueue(
            redis: RedisClient(server.clientConfiguration()), configuration: .init(run: plan.id, consumer: "pod"))
        var byKey: [String: CaseResult] = [:]
        for result in results { byKey[result.recordKey] = result }
        while true {
            let claimed = try await worker.claim(max: 10)
            if claimed.isEmpty { break }
            let batch = claimed.map { item in
                FinishedCase(
                    result: byKey[CaseResult.recordKey(item.suiteCase.id, repeat: item.repeat)]!, claimed: item)
            }
            #expect(try await worker.record(batch).allSatisfy { $0 == .recorded })
        }
        let reader = RedisWorkQueue(
            redis: RedisClient(server.clientConfiguration()), configuration: .init(run: plan.id, consumer: "api"))
        return (try await reader.aggregates(), try await reader.results(offset: 0, limit: 1000))
    }

    @Test(
        "the status's pass-rate and mean-score intervals are the JSON report's, with and without repeats",
        arguments: [1, 3])
    func statusMatchesReport(repeats: Int) throws {
        let results = Self.results(repeats: repeats)
        let aggregates = RunTally(results).aggregates(info: Self.info(repeats: repeats), seeded: true, cancelled: false)
        let report = RunAnalysis(aggregates, cases: results, spec: Self.spec(repeats: repeats))
            .json(merging: aggregates.json)["targets"]?.arrayValue?.first
        let status = SuiteProgress(aggregates).members.first { $0.0 == "targets" }?.1.arrayValue?.first
        Self.expectClose(status?["passRateInterval"], report?["passRateInterval"], "passRateInterval")
        Self.expectClose(status?["meanScoreInterval"], report?["meanScoreInterval"], "meanScoreInterval")
        let mean = try #require(report?["meanScore"]?.doubleValue)
        #expect(abs((status?["meanScore"]?.doubleValue ?? .nan) - mean) < 1e-12)
        let method = repeats > 1 ? "cluster-robust" : "wilson"
        #expect(status?["passRateInterval"]?["method"] == .string(method))
    }

    @Test("with repeats the status's interval is cluster-robust by case: wider than Wilson's over every repeat")
    func repeatsWiden() throws {
        let results = Self.results()
        let aggregates = RunTally(results).aggregates(info: Self.info(repeats: 3), seeded: true, cancelled: false)
        let target = try #require(aggregates.targets.first)
        #expect(target.cases.count == 12 && target.cases.allSatisfy { $0.results == 3 })
        let clustered = try #require(SuiteProgress(aggregates).targets.first?.passRateInterval)
        let naive = try ProportionInterval.wilson(successes: 29, trials: 36)
        #expect(clustered.method == "cluster-robust")
        #expect(clustered.high - clustered.low > naive.high - naive.low)
        #expect(clustered.low < naive.low)
        // The status reads back what it wrote.
        let written = SuiteProgress(aggregates)
        let status = JSONValue.object(JSONObject(written.members))
        #expect(SuiteProgress(status: status) == written)
    }

    @Test(
        "the phase is gated as run gates it: lowerBound on the clustered interval, estimate on the rate",
        arguments: [(GateSpec.Bound.estimate, SuitePhase.succeeded), (.lowerBound, .failed)])
    func phaseHonoursGate(on bound: GateSpec.Bound, expected: SuitePhase) throws {
        let results = Self.results()
        let naive = try ProportionInterval.wilson(successes: 29, trials: 36)
        let plain = RunTally(results).aggregates(info: Self.info(repeats: 3), seeded: true, cancelled: false)
        let clustered = try #require(plain.targets[0].passRateInterval(level: 0.95))
        // Between the two lower bounds: Wilson's over 36 results would pass it, the clustered one does not.
        let threshold = (naive.low + clustered.low) / 2
        let info = Self.info(repeats: 3, gate: GateSpec(on: bound), passThreshold: threshold)
        let aggregates = RunTally(results).aggregates(info: info, seeded: true, cancelled: false)
        #expect(aggregates.phase == expected)
        #expect(aggregates.meetsThreshold == (expected == .succeeded))
        #expect(aggregates.json["phase"] == .string(expected.rawValue))
        var spec = Self.spec(repeats: 3)
        spec.passThreshold = threshold
        spec.gate = GateSpec(on: bound)
        let local = RunAnalysis(aggregates, cases: results, spec: spec)
        #expect(local.verdict == (expected == .succeeded ? .pass : .fail))
        #expect(aggregates.verdict == local.verdict)
    }

    @Test("a local report gates lowerBound on the bound it shows, also when a dataset cluster groups repeated cases")
    func localGateOnShownBound() throws {
        let results = Self.results()
        let clusters = Dictionary(uniqueKeysWithValues: (0..<12).map { ("c\($0)", "doc\($0 / 4)") })
        let aggregates = RunTally(results).aggregates(info: Self.info(repeats: 3), seeded: true, cancelled: false)
        let byCase = try #require(aggregates.targets[0].passRateInterval(level: 0.95))
        var spec = Self.spec(repeats: 3)
        let shown = try #require(
            RunAnalysis(aggregates, cases: results, clusters: clusters, spec: spec).targets[0].passRateInterval)
        #expect(shown.low < byCase.low, "three documents are fewer independent clusters than twelve cases")
        spec.gate = GateSpec(on: .lowerBound)
        for (threshold, expected) in [(shown.low - 1e-9, RunVerdict.pass), ((shown.low + byCase.low) / 2, .fail)] {
            spec.passThreshold = threshold
            var info = Self.info(repeats: 3, gate: spec.gate, passThreshold: threshold)
            info.confidenceLevel = 0.95
            let gated = RunTally(results).aggregates(info: info, seeded: true, cancelled: false)
            let analysis = RunAnalysis(gated, cases: results, clusters: clusters, spec: spec)
            #expect(analysis.targets[0].verdict == expected && analysis.verdict == expected, "threshold \(threshold)")
        }
    }

    @Test("a Redis run keeps each case's tallies with repeats and the gate in its meta: the phase is the local verdict")
    func redisRunHonoursGate() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let results = Self.results()
        let naive = try ProportionInterval.wilson(successes: 29, trials: 36)
        let recount = RunTally(results).aggregates(info: Self.info(repeats: 3), seeded: true, cancelled: false)
        let clusteredLow = try #require(recount.targets[0].passRateInterval(level: 0.95)?.low)
        let plan = RunPlan(
            id: RunID("run-status-redis")!, suiteName: "s", cases: (0..<12).map { SuiteCase(id: "c\($0)", output: "") },
            targets: ["a"], criteria: [], passThreshold: (naive.low + clusteredLow) / 2, resultTTL: .seconds(600),
            repeats: 3, gate: GateSpec(on: .lowerBound))
        let (read, stored) = try await Self.record(results, plan: plan, server: server)
        let aggregates = try #require(read)
        #expect(aggregates.isComplete)
        #expect(aggregates.info.gate.on == .lowerBound)
        #expect(aggregates.targets[0].cases == recount.targets[0].cases)
        #expect(
            aggregates.phase == .failed, "the rate \(aggregates.targets[0].passRate) passes; its lower bound does not")
        #expect(aggregates == RunTally(stored).aggregates(info: plan.info, seeded: true, cancelled: false))
    }
}
