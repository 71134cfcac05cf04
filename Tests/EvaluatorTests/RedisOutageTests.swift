import AssayCore
import AssayRedis
import Foundation
import TestSupport
import Testing

@testable import Evaluation
@testable import Evaluator
@testable import Suites

/// A worker (as in an evaluator pod, or `run`) whose Redis goes away mid-run and comes back: it
/// keeps retrying with backoff, says so once when the outage starts and once when it ends, and
/// the run completes.
@Suite("Redis outages during a run", .serialized, .enabled(if: RedisServer.isInstalled, "redis-server is not on PATH"))
struct RedisOutageTests {
    static let spec = """
        {"targets": [{"name": "t", "prompt": "{{input}}", "providers": [{"type": "openai", "model": "m"}]}],
         "dataset": {"cases": [{"id": "x", "output": "o"}]}, "criteria": [{"type": "contains", "value": "o"}]}
        """

    @Test("a redis-server killed and restarted mid-run is logged once each way, however many retries fail between")
    func outageOnce() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let spec = try EvaluationSuiteSpec.decode(JSONParser.parse(Self.spec), at: "spec")
        let plan = RunPlan(
            id: RunID("outage")!, suiteName: "outage",
            cases: (0..<150).map { SuiteCase(id: "c\($0)", output: "o\($0)") },
            targets: ["t"], criteria: spec.criterionNames, passThreshold: 1, resultTTL: .seconds(600))
        let queue = RedisWorkQueue(
            redis: RedisClient(server.clientConfiguration()),
            configuration: .init(run: plan.id, consumer: "w", visibilityTimeout: .milliseconds(500)))
        try await queue.prepare(plan)
        let lines = Guarded<[String]>([])
        let logger = Logger(label: "t", sink: { line in lines.withLock { $0.append(line) } })
        let outages = OutageLog("Redis at \(server.url)", logger: logger)
        let worker = RunWorker(
            queue: queue, evaluator: try SuiteEvaluator(spec: spec, pool: nil), consumer: "w",
            options: .init(concurrency: 4, caseDelay: .milliseconds(20)), logger: logger, outages: outages)
        let run = Task { await worker.run() }

        try await eventually("some cases recorded") { ((try? await queue.aggregates())?.recorded ?? 0) >= 20 }
        // Saved, so the restarted server has the run (results and pending cases) back.
        _ = try await RedisClient(server.clientConfiguration()).send(["SAVE"])
        server.kill()
        try await eventually("ten failed attempts into the outage") { outages.failures >= 10 }
        let during = lines.withLock { $0 }
        #expect(during.count == 1, "one line for the whole outage: \(during)")
        #expect(during.first?.contains("is unreachable; retrying with backoff") == true)

        try await server.start()
        try await eventually("the run completes after the restart", within: .seconds(60)) {
            (try? await queue.aggregates())?.isComplete ?? false
        }
        let aggregates = await run.value
        #expect(aggregates?.recorded == 150)
        let all = lines.withLock { $0 }
        #expect(all.filter { $0.contains("is unreachable") }.count == 1, "\(all)")
        #expect(all.filter { $0.contains("is reachable again") }.count == 1, "\(all)")
        #expect(all.count == 2, "\(all)")
        #expect(!outages.isDown)
    }
}
