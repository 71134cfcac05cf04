import AssayCore
import Foundation
import TestSupport
import Testing

/// What `assay-evaluator run` does before it queues a case: the providers' preflight, and a
/// bounded wait for an unreachable Redis.
@Suite("assay-evaluator run start-up")
struct RunStartupTests {
    static let suite = """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: keys}
        spec:
          targets:
          - name: gpt
            prompt: "{{input}}"
            providers: [{type: openai, model: m, apiKey: {secretName: keys, key: openai}}]
          - name: claude
            prompt: "{{input}}"
            providers:
            - {type: openai, model: m, baseURL: "http://127.0.0.1:9/v1"}
            - {type: anthropic, model: c, apiKeyEnv: CLAUDE_API_KEY}
          dataset: {file: cases.jsonl}
          criteria:
          - {type: contains, value: "yes"}
        """

    static func cases(_ count: Int) -> String {
        (0..<count).map { #"{"id": "c\#($0)", "input": "q\#($0)"}"# }.joined(separator: "\n") + "\n"
    }

    @Test("a suite whose provider keys are unset exits 2 at once naming every missing variable, and queues nothing")
    func preflight() async throws {
        let directory = try RunCommandTests.directory(["suite.yaml": Self.suite, "cases.jsonl": Self.cases(3000)])
        let started = ContinuousClock.now
        let (status, output) = try await RunCommandTests.run([directory.appendingPathComponent("suite.yaml").path])
        #expect(status == 2, "\(output)")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(output.contains { $0.hasSuffix("suite.yaml: preflight found 2 problems; no case was queued:") })
        #expect(
            output.contains(
                #"  no API key: environment variable ASSAY_SECRET_KEYS_OPENAI is not set or empty (target "gpt", provider 0)"#
            ), "\(output)")
        #expect(
            output.contains(
                #"  no API key: environment variable CLAUDE_API_KEY is not set or empty (target "claude", provider 1)"#),
            "\(output)")
        #expect(!output.contains { $0.contains("queued;") || $0.contains("ERRORS") })
    }

    @Test("with every key set the preflight passes and the run goes on to its cases")
    func preflightPasses() async throws {
        let directory = try RunCommandTests.directory(["suite.yaml": Self.suite, "cases.jsonl": Self.cases(1)])
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: [
                "run", directory.appendingPathComponent("suite.yaml").path, "--generation-timeout-seconds", "1",
            ],
            environment: ["ASSAY_SECRET_KEYS_OPENAI": "k", "CLAUDE_API_KEY": "k"])
        let termination = try await process.waitForExit(timeout: .seconds(60))
        #expect(termination.status == 1, "\(process.output)")
        #expect(process.output.contains { $0.contains("1 cases queued") }, "\(process.output)")
    }

    @Test(
        "an unreachable --redis is waited for a bounded time with one line, then exits 2 naming the URL without its password",
        arguments: [false, true])
    func unreachableRedis(fromEnvironment: Bool) async throws {
        let directory = try RunCommandTests.directory([
            "suite.yaml": RunCommandTests.suite.replacingOccurrences(of: "THRESHOLD", with: "0.5"),
            "cases.jsonl": #"{"id": "a", "output": "yes"}"# + "\n",
        ])
        let port = try LoopbackPort.free()  // nothing listens there
        let url = "redis://assay:hunter2@127.0.0.1:\(port)/0"
        var arguments = ["run", directory.appendingPathComponent("suite.yaml").path, "--redis", url]
        var environment: [String: String] = [:]
        if fromEnvironment {
            environment["ASSAY_REDIS_WAIT_SECONDS"] = "2"
        } else {
            arguments += ["--redis-wait-seconds", "2"]
        }
        let started = ContinuousClock.now
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: arguments, environment: environment)
        let termination = try await process.waitForExit(timeout: .seconds(30))
        let elapsed = ContinuousClock.now - started
        let output = process.output
        #expect(termination.status == 2, "\(output)")
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(10), "\(elapsed)")
        #expect(output.count == 2, "one waiting line and one verdict, not a line per retry: \(output)")
        #expect(output.first?.hasPrefix("assay-evaluator: waiting up to 2 s for Redis at redis://") == true)
        let last = try #require(output.last)
        #expect(last.hasPrefix("assay-evaluator: cannot reach Redis at redis://"), "\(last)")
        #expect(last.contains("127.0.0.1:\(port)") && last.contains("after 2 s (--redis-wait-seconds)"), "\(last)")
        #expect(!output.joined().contains("hunter2") && last.contains("redis://assay:***@127.0.0.1"), "\(output)")
    }
}
