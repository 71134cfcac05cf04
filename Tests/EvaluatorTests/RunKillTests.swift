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

    /// `count` evaluators sharing the suite's run through Redis: 4 cases in flight each, ~10 ms a
    /// case, and a short claim timeout so a dead consumer's cases are taken over quickly.
    static func startEvaluators(_ count: Int, suitePath: String, redis: RedisServer) throws -> [ChildProcess] {
        try (1...count).map { index in
            try QueueTakeoverTests.evaluator(
                suitePath, redis, "evaluator-\(index)",
                ["--concurrency", "4", "--case-delay-ms", "10", "--claim-timeout-ms", "500"])
        }
    }

    /// Waits (on Redis's state, not a timer) until `results` are recorded and the first evaluator
    /// holds unfinished cases, then SIGKILLs it.
    static func killFirst(_ evaluators: [ChildProcess], after results: Int64, queue: RedisWorkQueue) async throws {
        try await eventually("\(results) results", within: .seconds(60), every: .milliseconds(5)) {
            let recorded = try await queue.redis.send(["HLEN", queue.keys.recorded]).integer ?? 0
            let held = try await queue.redis.send([
                "XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group, "-", "+", "1", "evaluator-1",
            ])
            return recorded >= results && !(held.array ?? []).isEmpty
        }
        evaluators[0].signal(SIGKILL)
        #expect(try await evaluators[0].waitForExit() == .signalled(SIGKILL))
    }

    @Test("three evaluators share a 2,000-case run; one is SIGKILLed mid-run; every case ends with exactly one result")
    func killOneOfThree() async throws {
        let redis = try await RedisServer.start()
        defer { redis.kill() }
        let cases = (0..<Self.caseCount).map { index in
            "{\"id\": \"case-\(index)\", \"input\": \"q\(index)\", \"output\": \"\(index % 10 == 0 ? "wrong" : "answer \(index)")\"}"
        }
        let directory = try RunCommandTests.directory([
            "suite.yaml": """
            apiVersion: eval.assay.dev/v1alpha1
            kind: EvaluationSuite
            metadata: {name: kill-test}
            spec:
              targets:
              - name: given
                prompt: "{{input}}"
                providers: [{type: openai, model: m}]
              dataset: {file: cases.jsonl}
              criteria:
              - {type: contains, value: answer}
              - {type: length, max: 3, unit: words}
              passThreshold: 0.85
            """,
            "cases.jsonl": cases.joined(separator: "\n"),
        ])
        let suitePath = directory.appendingPathComponent("suite.yaml").path
        let file = try SuiteFile.load(path: suitePath)
        let client = RedisClient(url: try RedisURL(parsing: redis.urlString))
        let queue = RedisWorkQueue(redis: client, configuration: .init(run: file.runID, consumer: "test"))

        // Each case takes ~10 ms, 4 at a time per process: about 2 s with three processes.
        let evaluators = try Self.startEvaluators(3, suitePath: suitePath, redis: redis)
        for evaluator in evaluators {
            _ = try await evaluator.waitForLine("cases queued", timeout: .seconds(30)) { $0.contains("cases queued") }
        }
        try await Self.killFirst(evaluators, after: 300, queue: queue)
        let recordedAtKill = try await client.send(["HLEN", queue.keys.recorded]).integer ?? 0
        #expect(recordedAtKill < Int64(Self.caseCount), "the kill landed mid-run")
        let pending = try await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        let owners = (pending.array?.last?.array ?? []).compactMap { $0.array?.first?.text }
        #expect(owners.contains("evaluator-1"), "the killed evaluator held unfinished cases: \(pending)")

        for evaluator in evaluators.dropFirst() {
            let status = try await evaluator.waitForExit(timeout: .seconds(120))
            #expect(status == .exited(0), "\(evaluator.output.suffix(5).joined(separator: "\n"))")
        }

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
        let redis = try await RedisServer.start()
        defer { redis.kill() }
        let count = 600
        let (suitePath, queue, file) = try QueueTakeoverTests.run("restart-test", count: count, redis: redis)
        let client = queue.redis
        let evaluators = try Self.startEvaluators(2, suitePath: suitePath, redis: redis)
        try await eventually("100 results", within: .seconds(60), every: .milliseconds(5)) {
            (try? await client.send(["HLEN", queue.keys.recorded]).integer) ?? 0 >= 100
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
