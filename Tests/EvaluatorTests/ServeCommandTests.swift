import Foundation
import TestSupport
import Testing

@Suite("assay-evaluator serve")
struct ServeCommandTests {
    /// Starts `assay-evaluator serve --port 0` and returns it with the port from its start-up log.
    static func startServer(_ extra: [String] = []) async throws -> (ChildProcess, Int) {
        let server = try ChildProcess(built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0"] + extra)
        let line = try await server.waitForLine("the listening log line") { $0.contains("\"listening\"") }
        let address = try #require(line.firstMatch(of: /"address":"127\.0\.0\.1:(\d+)"/))
        return (server, Int(address.1)!)
    }

    @Test("it serves readiness, then exits 0 on SIGTERM after logging the shutdown")
    func servesAndStopsOnSigterm() async throws {
        let (server, port) = try await Self.startServer()
        #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/readyz").status == 200)
        #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/healthz").status == 200)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == .exited(0))
        #expect(server.output.contains { $0.contains("\"stopped\"") })
    }

    @Test("--help lists every option with its environment variable")
    func helpListsOptions() async throws {
        let process = try ChildProcess(built: BuiltExecutable.evaluator, arguments: ["serve", "--help"])
        #expect(try await process.waitForExit() == .exited(0))
        let text = process.output.joined(separator: "\n")
        for option in ["--host", "--port", "--max-body-bytes", "--event-loops", "--max-batch-items"] {
            #expect(text.contains(option))
        }
        #expect(text.contains("ASSAY_PORT"))
        #expect(text.contains("ASSAY_HOST"))
    }

    @Test("an invalid flag value exits 2 with a message naming the flag")
    func invalidFlagExitsTwo() async throws {
        let process = try ChildProcess(built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "eighty"])
        #expect(try await process.waitForExit() == .exited(2))
        #expect(process.output.joined().contains("--port"))
    }

    @Test("ASSAY_PORT configures the port when no flag is given")
    func environmentConfiguresPort() async throws {
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: ["serve"],
            environment: ["ASSAY_PORT": "0", "ASSAY_LOG_LEVEL": "info"])
        let line = try await process.waitForLine("the listening log line") { $0.contains("\"listening\"") }
        #expect(!line.contains(":8080\""))
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == .exited(0))
    }

    @Test("a bad providers file or an unknown judge name exits 2 naming the file, line and field, or the name")
    func providerOptionsAreChecked() async throws {
        let directory = try TemporaryDirectory(prefix: "assay-serve-providers")
        defer { directory.remove() }
        let bad = try directory.write(
            "bad.yaml", "providers:\n- {name: a, type: openai, model: m, apiKeyEnv: 'not a name'}\n")
        let good = try directory.write("good.yaml", "providers:\n- {name: judge, type: openai, model: m}\n")
        for (arguments, expected) in [
            (["--providers-file", bad], "bad.yaml:2: providers[0].apiKeyEnv: must be an environment variable name"),
            (
                ["--providers-file", good, "--judge-providers", "judge,nope"],
                "--judge-providers must be names of providers"
            ),
            (["--judge-providers", "judge"], "configured: none"),
            (
                ["--providers-file", good, "--judge-providers", "[\"judge\", 3]"],
                "--judge-providers must be provider names"
            ),
        ] {
            let process = try ChildProcess(
                built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0"] + arguments)
            #expect(try await process.waitForExit() == .exited(2), "\(arguments)")
            #expect(process.output.joined().contains(expected), "\(process.output)")
        }
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["serve", "--port", "0", "--providers-file", good, "--judge-providers", "[\"judge\"]"])
        _ = try await process.waitForLine("listening") { $0.contains("\"listening\"") }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == .exited(0))
    }
}
