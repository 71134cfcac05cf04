import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

/// `spec.budget`: spending is counted in Redis across every evaluator, and a spent budget stops
/// the run.
@Suite("Run budget", .serialized)
struct RunBudgetTests {
    /// A suite of `count` generated cases against the provider emulator, with `budget`.
    static func suite(_ name: String, count: Int, budget: String, emulator: ProviderEmulatorProcess) throws -> String {
        let cases = (0..<count).map { "{\"id\": \"case-\($0)\", \"input\": \"country \($0)\"}" }
        return try SharedRunFixture.suiteFile(
            name,
            spec: """
                  targets:
                  - name: emulated
                    prompt: "capital of {{input}}"
                    providers:
                    - {type: openai, model: m, baseURL: "\(emulator.openAIBaseURL)", apiKey: {secretName: keys, key: openai}}
                  dataset: {file: cases.jsonl}
                  criteria:
                  - {type: startsWith, value: "echo: capital of"}
                  - {type: cost, maxTokens: 1000, prices: {m: {inputPerMillion: 1000, outputPerMillion: 2000}}}
                  budget: \(budget)
                """, cases: cases)
    }

    @Test("two evaluators share a token budget counted in Redis: once spent no new case starts and both exit 1")
    func budgetStopsTwoProcesses() async throws {
        let redis = try await RedisServer.start()
        defer { redis.kill() }
        let emulator = try await ProviderEmulatorProcess.start(arguments: ["--latency-ms", "5", "--api-key", "k-1"])
        defer { emulator.stop() }
        let count = 400
        let maxTokens = 300
        let path = try Self.suite("budget-two", count: count, budget: "{maxTokens: \(maxTokens)}", emulator: emulator)
        let file = try SuiteFile.load(path: path)
        let queue = RedisWorkQueue(
            redis: RedisClient(url: try RedisURL(parsing: redis.urlString)),
            configuration: .init(run: file.runID, consumer: "test"))
        let evaluators = try (1...2).map { index in
            try ChildProcess(
                built: BuiltExecutable.evaluator,
                arguments: [
                    "run", path, "--redis", redis.urlString, "--consumer", "evaluator-\(index)", "--concurrency", "4",
                    "--case-delay-ms", "10", "--format", "json",
                ],
                environment: ["ASSAY_SECRET_KEYS_OPENAI": "k-1"])
        }
        for evaluator in evaluators {
            let status = try await evaluator.waitForExit(timeout: .seconds(120))
            #expect(status == .exited(1), "\(evaluator.output.suffix(5).joined(separator: "\n"))")
        }
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates.budgetExceeded && aggregates.phase == .failed)
        #expect(aggregates.spentTokens >= maxTokens)
        let results = try await queue.results(offset: 0, limit: count)
        #expect(Set(results.map(\.recordKey)).count == results.count, "each case counted once")
        let tokens = results.flatMap(\.targets).reduce(0) { $0 + $1.inputTokens + $1.outputTokens }
        #expect(tokens == aggregates.spentTokens)
        // Past the limit, at most the cases already in flight finish: 2 evaluators × 4 slots,
        // plus one claim batch each that was read before its recorder saw the flag.
        let perCase = max(1, tokens / max(1, results.count))
        #expect(results.count < maxTokens / perCase + 2 * 4 * 2 + 1, "\(results.count) cases of \(perCase) tokens")
        #expect(aggregates.recorded < count)
        let line = try #require(evaluators[0].output.first { $0.hasPrefix("{\"id\"") })
        let budget = try #require(try JSONParser.parse(line)["budget"])
        #expect(budget["reason"] == "BudgetExceeded" && budget["exceeded"] == true)
        // Written when this evaluator stopped; the other may have recorded its last cases since.
        #expect((budget["tokens"]?.doubleValue ?? 0) >= Double(maxTokens))
    }

    @Test(
        "a local run's cost budget, priced by the cost criterion's prices, stops it with a table saying how far it got")
    func costBudgetLocal() async throws {
        let emulator = try await ProviderEmulatorProcess.start(arguments: ["--api-key", "k-1"])
        defer { emulator.stop() }
        let path = try Self.suite("budget-cost", count: 200, budget: "{maxCost: 0.05}", emulator: emulator)
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: ["run", path, "--concurrency", "2"],
            environment: ["ASSAY_SECRET_KEYS_OPENAI": "k-1"])
        let status = try await process.waitForExit(timeout: .seconds(60))
        let text = process.output.joined(separator: "\n")
        #expect(status == .exited(1), "\(text)")
        #expect(text.contains("exceeded (BudgetExceeded) after "), "\(text)")
        #expect(text.contains("of 0.0500"), "\(text)")
        #expect(text.contains("Verdict: FAIL (BudgetExceeded, incomplete)"), "\(text)")
    }
}
