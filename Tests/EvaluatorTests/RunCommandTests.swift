import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

/// `assay-evaluator run` as a user runs it: a built executable, exit codes and messages.
@Suite("assay-evaluator run")
struct RunCommandTests {
    static func samples(_ name: String) -> String {
        Repository.path("config/samples/\(name)")
    }

    /// A temporary directory holding `files`.
    static func directory(_ files: [String: String]) throws -> URL {
        let directory = try TemporaryDirectory(prefix: "assay-run")
        for (name, text) in files { try directory.write(name, text) }
        return URL(fileURLWithPath: directory.path)
    }

    /// Runs the command to its exit and returns its status and every output line (the output is
    /// drained before the exit is reported).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: [String]) {
        let process = try ChildProcess(built: BuiltExecutable.evaluator, arguments: ["run"] + arguments)
        let termination = try await process.waitForExit(timeout: .seconds(60))
        return (termination.status, process.output)
    }

    static let suite = """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: tiny}
        spec:
          targets:
          - name: given
            prompt: "{{input}}"
            providers: [{type: openai, model: m}]
          dataset: {file: cases.jsonl}
          criteria:
          - {type: contains, value: "yes"}
          passThreshold: THRESHOLD
        """

    @Test(
        "the sample suites run locally and the exit code follows the pass threshold",
        arguments: [("capitals.yaml", Int32(0)), ("support-answers.yaml", Int32(0))])
    func samples(name: String, status: Int32) async throws {
        let (exit, output) = try await Self.run([Self.samples(name), "--format", "json"])
        #expect(exit == status, "\(output.joined(separator: "\n"))")
        let line = try #require(output.first { $0.hasPrefix("{\"id\"") })
        let json = try JSONParser.parse(line)
        #expect(json["phase"] == "Succeeded")
        #expect(json["recorded"] == json["total"])
    }

    @Test(
        "the exit code is 0 when the pass rate meets the threshold and 1 when it does not",
        arguments: [("0.5", Int32(0)), ("0.75", Int32(1))])
    func threshold(threshold: String, status: Int32) async throws {
        let cases = (1...4).map { "{\"id\": \"c\($0)\", \"output\": \"\($0 % 2 == 0 ? "yes" : "no")\"}" }
        let directory = try Self.directory([
            "suite.yaml": Self.suite.replacingOccurrences(of: "THRESHOLD", with: threshold),
            "cases.jsonl": cases.joined(separator: "\n"),
        ])
        let (exit, output) = try await Self.run([directory.appendingPathComponent("suite.yaml").path])
        #expect(exit == status, "\(output.joined(separator: "\n"))")
        #expect(output.contains { $0.hasPrefix("given") && $0.contains("50.0%") })
    }

    @Test(
        "invalid input exits 2 with the file, the field or line, and the run is not started",
        arguments: [
            (
                "{\"id\": \"c1\", \"output\": \"yes\"}\n{\"id\": \"c2\", \"output\": \"yes\"\n",
                "cases.jsonl:2: is not valid JSON", "0.5"
            ),
            ("{\"id\": \"c1\", \"output\": \"yes\"}\n{\"id\": \"c1\"}\n", "cases.jsonl:2: id \"c1\" is also", "0.5"),
            ("{\"id\": \"c1\", \"output\": \"yes\"}\n", "suite.yaml:12: spec.passThreshold: must be a fraction", "5"),
        ])
    func invalid(cases: String, message: String, threshold: String) async throws {
        let redis = try await RedisServer.start()
        defer { redis.kill() }
        let directory = try Self.directory([
            "suite.yaml": Self.suite.replacingOccurrences(of: "THRESHOLD", with: threshold), "cases.jsonl": cases,
        ])
        let (exit, output) = try await Self.run([
            directory.appendingPathComponent("suite.yaml").path, "--redis", redis.urlString,
        ])
        #expect(exit == 2)
        #expect(output.contains { $0.contains(message) }, "\(output.joined(separator: "\n"))")
        let client = RedisClient(url: try RedisURL(parsing: redis.urlString))
        #expect(try await client.send(["DBSIZE"]).integer == 0, "nothing of the run reaches Redis")
    }

    @Test("a criterion the scorer rejects exits 2 naming spec.criteria[i] and its line")
    func invalidCriterion() async throws {
        let directory = try Self.directory([
            "suite.yaml": Self.suite.replacingOccurrences(of: "THRESHOLD", with: "1")
                .replacingOccurrences(of: "{type: contains, value: \"yes\"}", with: "{type: regex, pattern: \"(\"}"),
            "cases.jsonl": "{\"id\": \"c1\", \"output\": \"yes\"}\n",
        ])
        let (exit, output) = try await Self.run([directory.appendingPathComponent("suite.yaml").path])
        #expect(exit == 2)
        #expect(
            output.contains { $0.contains("suite.yaml:11: spec.criteria[0].pattern") },
            "\(output.joined(separator: "\n"))")
    }

    @Test("generated cases use the target's chain, a Secret-referenced key, and latency criteria see the call")
    func generation() async throws {
        let emulator = try await ProviderEmulatorProcess.start(arguments: ["--latency-ms", "5", "--api-key", "k-123"])
        defer { emulator.stop() }
        let directory = try Self.directory([
            "suite.yaml": """
            apiVersion: eval.assay.dev/v1alpha1
            kind: EvaluationSuite
            metadata: {name: generated}
            spec:
              targets:
              - name: emulated
                prompt: "capital of {{input}}"
                providers:
                - {type: openai, model: m, baseURL: "\(emulator.openAIBaseURL)", apiKey: {secretName: keys, key: openai}}
              dataset:
                cases: [{id: fr, input: France}, {id: es, input: Spain}, {id: pe, input: Peru}]
              criteria:
              - {type: startsWith, value: "echo: capital of"}
              - {type: containsAny, values: [France, Spain]}
              - {type: latency, maxMs: 60000}
              passThreshold: 0.5
            """
        ])
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["run", directory.appendingPathComponent("suite.yaml").path, "--format", "json"],
            environment: ["ASSAY_SECRET_KEYS_OPENAI": "k-123"])
        let status = try await process.waitForExit(timeout: .seconds(60))
        let summary = try await process.waitForLine("the JSON summary") { $0.hasPrefix("{\"id\"") }
        #expect(status == .exited(0), "\(process.output.joined(separator: "\n"))")
        let target = try #require(try JSONParser.parse(summary)["targets"]?.arrayValue?.first)
        #expect(target["passed"] == 2 && target["failed"] == 1 && target["errors"] == 0)
        #expect(target["failingCaseIds"] == ["pe"])
        #expect((target["tokens"]?["input"]?.doubleValue ?? 0) == 9, "three words per prompt")
        #expect((target["latencyMs"]?["p50"]?.doubleValue ?? 0) >= 5)
    }
}
