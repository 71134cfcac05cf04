import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

#if canImport(Glibc)
    import Glibc
#endif

/// Three `assay-evaluator run --redis` processes share one run; one is killed mid-run.
@Suite("Run across processes", .serialized)
struct RunKillTests {
    static let caseCount = 2_000

    @Test("three evaluators share a 2,000-case run; one is SIGKILLed mid-run; every case ends with exactly one result")
    func killOneOfThree() async throws {
        let run = try await SharedRunFixture.start(
            "kill-test", count: Self.caseCount, wrongEvery: 10,
            criteria: "[{type: contains, value: answer}, {type: length, max: 3, unit: words}]",
            extraSpec: "  passThreshold: 0.85\n")
        defer { run.stop() }
        let (queue, client, file) = (run.queue, run.client, run.file)

        // Each case takes ~10 ms, 4 at a time per process: about 2 s with three processes.
        let evaluators = try run.killableEvaluators(3)
        for evaluator in evaluators {
            _ = try await evaluator.waitForLine("cases queued", timeout: .seconds(30)) { $0.contains("cases queued") }
        }
        try await run.killFirst(evaluators, after: 300)
        let recordedAtKill = try await client.send(["HLEN", queue.keys.recorded]).integer ?? 0
        #expect(recordedAtKill < Int64(Self.caseCount), "the kill landed mid-run")
        let pending = try await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        let owners = (pending.array?.last?.array ?? []).compactMap { $0.array?.first?.text }
        #expect(owners.contains("evaluator-1"), "the killed evaluator held unfinished cases: \(pending)")

        try await run.expectTheOthersFinish(evaluators)

        let results = try await queue.results(offset: 0, limit: Self.caseCount + 100)
        #expect(results.count == Self.caseCount)
        #expect(Set(results.map(\.caseID)).count == Self.caseCount)
        #expect(try await client.send(["HLEN", queue.keys.recorded]).integer == Int64(Self.caseCount))
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates == RunTally(results).aggregates(info: file.plan().info, seeded: true, cancelled: false))
        #expect(aggregates.phase == .succeeded && aggregates.targets[0].failed == Self.caseCount / 10)
        let after = try await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(after.array?.first?.integer == 0, "every case is acknowledged")
        let consumers = Set(results.map(\.consumer))
        #expect(consumers.isSuperset(of: ["evaluator-2", "evaluator-3"]))
        let byConsumer = Dictionary(grouping: results, by: \.consumer).mapValues(\.count)
        #expect(byConsumer["evaluator-1", default: 0] > 0, "\(byConsumer)")
    }

    @Test(
        "a Redis restart mid-run (losing its data) costs no result: the evaluators wait, queue the run again and finish"
    )
    func redisRestart() async throws {
        let count = 600
        let run = try await SharedRunFixture.start("restart-test", count: count)
        defer { run.stop() }
        let (redis, file) = (run.redis, run.file)
        let evaluators = try run.killableEvaluators(2)
        try await eventually("100 results", within: .seconds(60), every: .milliseconds(5)) {
            (try? await run.recorded()) ?? 0 >= 100
        }
        redis.kill()
        // Both evaluators notice the outage before Redis comes back.
        for evaluator in evaluators {
            _ = try await evaluator.waitForLine("an outage warning") { $0.contains("retrying") }
        }
        try await redis.start()
        for evaluator in evaluators {
            let status = try await evaluator.waitForExit(timeout: .seconds(120))
            #expect(status == .exited(0), "\(evaluator.output.suffix(5).joined(separator: "\n"))")
        }
        // A fresh client: the test's own connections broke with the restart.
        let reader = RedisWorkQueue(
            redis: RedisClient(url: try RedisURL(parsing: redis.urlString)),
            configuration: .init(run: file.runID, consumer: "test"))
        let results = try await reader.results(offset: 0, limit: count + 100)
        #expect(results.count == count)
        #expect(Set(results.map(\.caseID)).count == count)
        let aggregates = try #require(try await reader.aggregates())
        #expect(aggregates == RunTally(results).aggregates(info: file.plan().info, seeded: true, cancelled: false))
        #expect(aggregates.phase == .succeeded)
    }
}
