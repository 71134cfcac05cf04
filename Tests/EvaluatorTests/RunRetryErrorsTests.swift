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
        let redis = try await RedisServer.start()
        defer { redis.kill() }
        let emulator = try await ProviderEmulatorProcess.start(arguments: ["--api-key", "k-1"])
        defer { emulator.stop() }
        // Half the cases carry their output; the other half call the emulator, which refuses a wrong key.
        let cases = (0..<40).map { index in
            index % 2 == 0
                ? "{\"id\": \"c\(index)\", \"input\": \"x\(index)\", \"output\": \"echo: given\"}"
                : "{\"id\": \"c\(index)\", \"input\": \"x\(index)\"}"
        }
        let path = try RunCommandTests.suiteFile(
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
        let file = try SuiteFile.load(path: path)
        let queue = RedisWorkQueue(
            redis: RedisClient(url: try RedisURL(parsing: redis.urlString)),
            configuration: .init(run: file.runID, consumer: "test"))
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
}
