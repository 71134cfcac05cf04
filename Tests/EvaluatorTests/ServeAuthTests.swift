import AssayCore
import Foundation
import TestSupport
import Testing

/// `serve`'s authentication as a user meets it: the start-up rules, every `/v1` route behind a
/// bearer token, a token file rotated while serving, and the access log.
@Suite("assay-evaluator serve: authentication", .serialized)
struct ServeAuthTests {
    @Test(
        "a non-loopback address without an auth mode exits 2 naming the three choices; conflicting or stray options exit 2",
        arguments: [
            ["--host", "0.0.0.0"],
            ["--host", "0.0.0.0", "--auth", "kubernetes", "--auth-token-file", "/nonexistent"],
            ["--host", "0.0.0.0", "--auth", "oidc"],
            ["--auth-token-file", "/nonexistent/tokens.csv"],
            ["--insecure-no-auth", "--auth-token-file", "/nonexistent/tokens.csv"],
            // Audiences mean nothing without TokenReview: refused rather than silently ignored.
            ["--auth-token-audiences", "eval.assay.dev"],
        ])
    func refusesToStart(arguments: [String]) async throws {
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0"] + arguments)
        #expect(try await process.waitForExit() == .exited(2))
        let text = process.output.joined(separator: "\n")
        if arguments == ["--host", "0.0.0.0"] {
            for flag in ["--auth-token-file", "--auth kubernetes", "--insecure-no-auth"] {
                #expect(text.contains(flag), "\(text)")
            }
        }
        #expect(!text.contains("\"listening\""))
    }

    @Test("on loopback without an auth mode it serves and warns once; --insecure-no-auth serves on any address")
    func startsWithoutAuth() async throws {
        for arguments in [["--host", "127.0.0.1"], ["--host", "0.0.0.0", "--insecure-no-auth"]] {
            let process = try ChildProcess(
                built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0"] + arguments)
            _ = try await process.waitForLine("listening") { $0.contains("\"listening\"") }
            let warnings = process.output.filter { $0.contains("authentication is off") }
            #expect(warnings.count == 1, "\(process.output)")
            #expect(warnings.first?.contains("\"level\":\"warning\"") == true)
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == .exited(0))
        }
    }

    @Test(
        "every /v1 route answers 401 problem+json with the Bearer challenge without a valid token; probes and metrics stay open"
    )
    func everyRouteAuthenticates() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let emulator = try await ProviderEmulatorProcess.start()
        let server = try await SecuredServer.start(emulator, arguments: ["--redis", redis.urlString])
        let evaluate = #"{"output": "Paris", "criteria": [{"type": "contains", "value": "Paris"}]}"#
        let routes: [(String, String, String?)] = [
            ("POST", "/v1/evaluate", evaluate), ("POST", "/v1/evaluate/batch", #"{"items": [\#(evaluate)]}"#),
            ("GET", "/v1/providers", nil), ("GET", "/v1/runs/some-run", nil), ("GET", "/v1/runs/some-run/results", nil),
        ]
        for (method, path, body) in routes {
            for token in [nil, "wrong-token", SecuredServer.callerToken + "x"] as [String?] {
                let response = try await server.send(method, path, body: body, token: token)
                #expect(response.status == 401, "\(method) \(path)")
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer realm=\"assay\"") == true)
                #expect(response.header("Content-Type") == "application/problem+json")
                #expect(try JSONParser.parse(response.body)["type"] == "urn:assay:problem:unauthenticated")
            }
            let allowed = try await server.send(method, path, body: body)
            #expect([200, 404].contains(allowed.status), "\(method) \(path) with the token: \(allowed.text)")
        }
        for path in ["/healthz", "/readyz", "/metrics"] {
            #expect(try await server.send("GET", path, token: nil).status == 200, "\(path)")
        }
        // The access log is written in batches, a few milliseconds behind the requests.
        try await eventually("the access lines are written") {
            server.log.contains(
                #""msg":"request","method":"POST","path":"/v1/evaluate","status":"200","user":"ci-pipeline""#)
                && server.log.contains(#""path":"/v1/runs/some-run/results","status":"#)
        }
        let log = server.log
        #expect(log.contains(#""path":"/v1/providers","status":"401","user":"-""#))
        #expect(!log.contains(SecuredServer.callerToken), "the access log never holds a token")
        #expect(!log.contains("/healthz"), "probes are not access-logged")
        emulator.stop()
    }

    @Test("a token file rotated in place while serving: the new token works and the old one stops, no restart")
    func rotation() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let server = try await SecuredServer.start(emulator)
        let evaluate = #"{"output": "x", "criteria": [{"type": "contains", "value": "x"}]}"#
        #expect(try await server.post("/v1/evaluate", evaluate).status == 200)
        // As the kubelet updates a mounted Secret: write a new file, rename it over the old.
        let staged = try server.directory.write("tokens.csv.new", "rotated-token-77aa,ci-pipeline-2\n")
        #expect(rename(staged, server.tokenFile) == 0)
        try await eventually("the rotated token is accepted", within: .seconds(10)) {
            try await server.post("/v1/evaluate", evaluate, token: "rotated-token-77aa").status == 200
        }
        #expect(try await server.post("/v1/evaluate", evaluate).status == 401, "the old token stopped working")
        #expect(server.process.isRunning)
        let log = await server.stop()
        #expect(log.contains("token file reloaded"))
        #expect(log.contains(#""user":"ci-pipeline-2""#))
        emulator.stop()
    }
}
