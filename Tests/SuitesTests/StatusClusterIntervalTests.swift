import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Scoring
@testable import Suites

/// A dataset `cluster` reaches the cluster status: a Redis run tallies its results per cluster, so
/// the status's intervals and the `lowerBound` gate are the local report's for the same outcomes.
@Suite("Status intervals with dataset clusters", .serialized)
struct StatusClusterIntervalTests {
    /// c0–c3 share `doc0`, c4–c7 `doc1`, c10 and c11 `doc2`; c8 and c9 name none (each its own).
    static let clusters: [String: String] = {
        var clusters: [String: String] = [:]
        for index in 0..<8 { clusters["c\(index)"] = "doc\(index / 4)" }
        for index in 10..<12 { clusters["c\(index)"] = "doc2" }
        return clusters
    }()

    static func plan(repeats: Int, passThreshold: Double) -> RunPlan {
        RunPlan(
            id: RunID("run-status-cluster-\(repeats)")!, suiteName: "s",
            cases: (0..<12).map { index in
                SuiteCase(id: "c\(index)", output: "", fields: clusters["c\(index)"].map { ["cluster": $0] } ?? [:])
            },
            targets: ["a"], criteria: [], passThreshold: passThreshold, resultTTL: .seconds(600), repeats: repeats,
            gate: GateSpec(on: .lowerBound))
    }

    @Test(
        "a Redis run of a clustered dataset shows the local report's clustered intervals, wider than Wilson's, and gates on them",
        arguments: [1, 3])
    func statusMatchesClusteredReport(repeats: Int) async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let results = StatusIntervalTests.results(repeats: repeats)
        var spec = StatusIntervalTests.spec(repeats: repeats)
        let info = StatusIntervalTests.info(repeats: repeats)
        let local = RunTally(results).aggregates(info: info, seeded: true, cancelled: false)
        let shown = try #require(
            RunAnalysis(local, cases: results, clusters: Self.clusters, spec: spec).targets[0].passRateInterval)
        let passed = results.filter(\.passed).count
        let naive = try ProportionInterval.wilson(successes: passed, trials: results.count)
        #expect(shown.low < naive.low && shown.high - shown.low > naive.high - naive.low)
        // Between the two lower bounds: Wilson's (or the by-case interval) would pass, the clustered one fails.
        let byCase = local.targets[0].passRateInterval(level: 0.95)?.low ?? naive.low
        let threshold = (shown.low + min(naive.low, byCase)) / 2
        let plan = Self.plan(repeats: repeats, passThreshold: threshold)
        let aggregates = try #require(try await StatusIntervalTests.record(results, plan: plan, server: server).0)
        #expect(aggregates.isComplete)
        #expect(aggregates.targets[0].cases.count == 5, "three documents and two cases of their own")
        spec.passThreshold = threshold
        spec.gate = GateSpec(on: .lowerBound)
        let analysis = RunAnalysis(aggregates, cases: results, clusters: plan.clusters, spec: spec)
        let report = analysis.json(merging: aggregates.json)["targets"]?.arrayValue?.first
        let status = SuiteProgress(aggregates).members.first { $0.0 == "targets" }?.1.arrayValue?.first
        StatusIntervalTests.expectClose(status?["passRateInterval"], report?["passRateInterval"], "passRateInterval")
        StatusIntervalTests.expectClose(status?["meanScoreInterval"], report?["meanScoreInterval"], "meanScoreInterval")
        #expect(status?["passRateInterval"]?["method"] == .string("cluster-robust"))
        #expect(abs((status?["passRateInterval"]?["low"]?.doubleValue ?? .nan) - shown.low) < 1e-12)
        #expect(aggregates.phase == .failed && analysis.verdict == .fail, "the lower bound misses \(threshold)")
        // A recount from the stored results (`--retry-errors`) tallies the same clusters.
        let recount = RunTally(results, clusters: plan.clusters, repeats: repeats)
        #expect(aggregates == recount.aggregates(info: plan.info, seeded: true, cancelled: false))
    }

    @Test("a --retry-errors recount of a clustered run keeps its per-cluster tallies, so the status stays clustered")
    func retryRecountKeepsClusters() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        var results = StatusIntervalTests.results(repeats: 1)
        // c4 (in doc1) could not be generated: it leaves the run and its tallies, and is queued again.
        results[4].targets[0] = TargetResult(
            target: "a", output: "", passed: false, score: 0, criteria: [], error: "provider timeout")
        let plan = Self.plan(repeats: 1, passThreshold: 0.5)
        _ = try await StatusIntervalTests.record(results, plan: plan, server: server)
        let queue = RedisWorkQueue(
            redis: RedisClient(server.clientConfiguration()), configuration: .init(run: plan.id, consumer: "retry"))
        #expect(try await queue.requeueErrored(plan) == 1)
        let aggregates = try #require(try await queue.aggregates())
        let kept = results.filter { $0.caseID != "c4" }
        let recount = RunTally(kept, clusters: plan.clusters).aggregates(
            info: plan.info, seeded: true, cancelled: false)
        #expect(aggregates.targets[0].cases == recount.targets[0].cases)
        #expect(aggregates.targets[0].cases.map(\.results).reduce(0, +) == 11)
        #expect(aggregates.targets[0].passRateInterval(level: 0.95)?.methodName == "cluster-robust")
    }
}
