import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

/// `run --retry-errors`: a finished run's errored cases are queued again and each ends counted once.
@Suite("Run --retry-errors", .serialized)
struct RunRetryErrorsTests {
    @Test("errored cases are queued again, the errored results replaced, and the aggregates equal a recount")
    func retryErrors() async throws {
        let emulator = try await ProviderEmulatorProcess.start(arguments: ["--api-key", "k-1"])
        defer { emulator.stop() }
        // Half the cases carry their output; the other half call the emulator, which refuses a wrong key.
        let cases = (0..<40).map { index in
            index % 2 == 0
                ? "{\"id\": \"c\(index)\", \"input\": \"x\(index)\", \"output\": \"echo: given\"}"
                : "{\"id\": \"c\(index)\", \"input\": \"x\(index)\"}"
        }
        let path = try SharedRunFixture.suiteFile(
            "retry",
            spec: """
                  targets:
                  - name: emulated
                    prompt: "say {{input}}"
                    providers:
                    - {type: openai, model: m, baseURL: "\(emulator.openAIBaseURL)", apiKey: {secretName: keys, key: openai}}
                  dataset: {file: cases.jsonl}
                  criteria: [{type: startsWith, value: "echo:"}]
                  repeats: 2
                """, cases: cases)
        let shared = try await SharedRunFixture.start(suitePath: path)
        defer { shared.stop() }
        let (redis, queue, file) = (shared.redis, shared.queue, shared.file)
        func run(key: String, _ extra: [String]) async throws -> ChildProcess {
            let process = try ChildProcess(
                built: BuiltExecutable.evaluator,
                arguments: ["run", path, "--redis", redis.urlString, "--format", "json"] + extra,
                environment: ["ASSAY_SECRET_KEYS_OPENAI": key])
            _ = try await process.waitForExit(timeout: .seconds(60))
            return process
        }

        let failed = try await run(key: "wrong", [])
        #expect(failed.output.contains { $0.hasPrefix("{\"id\"") })
        let before = try #require(try await queue.aggregates())
        #expect(before.isComplete && before.targets[0].errors == 40 && before.targets[0].passed == 40)

        let retried = try await run(key: "k-1", ["--retry-errors"])
        #expect(retried.output.contains { $0.contains("40 errored cases queued again") }, "\(retried.output)")
        let results = try await queue.results(offset: 0, limit: 200)
        #expect(results.count == 80 && Set(results.map(\.recordKey)).count == 80)
        #expect(results.allSatisfy { $0.targets.allSatisfy { $0.error == nil && $0.passed } })
        let after = try #require(try await queue.aggregates())
        #expect(after == RunTally(results).aggregates(info: file.plan().info, seeded: true, cancelled: false))
        #expect(after.phase == .succeeded && after.targets[0].errors == 0 && after.targets[0].passed == 80)
        let pending = try await queue.redis.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(pending.array?.first?.integer == 0)

        // Nothing errored is left: a second retry queues nothing and changes nothing.
        let again = try await run(key: "k-1", ["--retry-errors"])
        #expect(again.output.contains { $0.contains("0 errored cases queued again") })
        #expect(try await queue.aggregates() == after)
    }

    @Test(
        "--retry-errors refuses with exit 2 while another process holds fresh claims on the run, and goes ahead once they lapse"
    )
    func refusesLiveClaims() async throws {
        let run = try await SharedRunFixture.start("retry-live", count: 20)
        defer { run.stop() }
        let (path, redis, queue, file) = (run.path, run.redis, run.queue, run.file)
        try await queue.prepare(file.plan())
        // This process plays a recorder still evaluating: it holds 3 claims and keeps them fresh.
        let claimed = try await queue.claim(max: 3)
        #expect(claimed.count == 3)

        let refused = try await RunCommandTests.run([path, "--redis", redis.urlString, "--retry-errors"])
        #expect(refused.status == 2, "\(refused.output)")
        #expect(
            refused.output.contains { $0.contains("still being recorded") && $0.contains("test (3 cases)") },
            "\(refused.output)")
        let pending = try await queue.redis.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(pending.array?.first?.integer == 3, "the refused run claimed nothing")
        #expect(try await queue.results(offset: 0, limit: 100).isEmpty)

        // The recorder dies: once its claims are older than the claim timeout the retry runs, takes
        // them over and finishes the run with every case counted once.
        try await eventually("claims older than 200 ms", within: .seconds(10), every: .milliseconds(20)) {
            let entries = try await queue.redis.send([
                "XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group, "-", "+", "10",
            ])
            return (entries.array ?? []).allSatisfy { ($0.array?[2].integer ?? 0) >= 200 }
        }
        let retried = try await RunCommandTests.run([
            path, "--redis", redis.urlString, "--retry-errors", "--claim-timeout-ms", "200",
        ])
        #expect(retried.status == 0, "\(retried.output)")
        #expect(retried.output.contains { $0.contains("0 errored cases queued again") })
        try await run.expectExactlyOnce(count: 20)
    }

    @Test("the requeue script refuses a snapshot of the results that is no longer current")
    func staleSnapshot() async throws {
        let run = try await SharedRunFixture.start("retry-stale", count: 2)
        defer { run.stop() }
        let queue = run.queue
        _ = try await queue.redis.send(["RPUSH", queue.keys.results, "{}"])
        let keys = [queue.keys.cases, queue.keys.recorded, queue.keys.results, queue.keys.counters]
        let stale = try await queue.redis.run(RunScripts.requeue, keys: keys, arguments: ["0", "0"])
        #expect(stale.integer == -1)
        let current = try await queue.redis.run(RunScripts.requeue, keys: keys, arguments: ["1", "0"])
        #expect(current.integer == 0)
    }
}
