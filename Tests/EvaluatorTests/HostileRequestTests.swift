import AssayCore
import AssayHTTP
import Foundation
import TestSupport
import Testing

/// Requests that try to choose where a secret goes, each sent with a valid token to
/// `/v1/evaluate` and `/v1/evaluate/batch` of an evaluator holding a provider key (environment), a
/// key file's worth of secret, and a caller token. Every one is refused at the field that tried,
/// and the listener standing in for the attacker receives nothing at all.
@Suite("Hostile requests cannot point a provider or a key anywhere", .serialized)
struct HostileRequestTests {
    struct Hostile: Sendable, CustomTestStringConvertible {
        var name: String
        /// A request body given the attacker's base URL and the planted file's path.
        var body: @Sendable (_ attacker: String, _ file: String) -> String
        /// The field the 422 names, relative to the request (`items[0].` is prefixed in a batch).
        var field: String
        var testDescription: String { name }
    }

    static func target(_ provider: String) -> String {
        #"{"input": "x", "target": {"prompt": "{{input}}", "providers": [\#(provider)]}, "criteria": [{"type": "contains", "value": "x"}]}"#
    }

    static let table: [Hostile] = [
        Hostile(
            name: "inline provider with apiKeyEnv",
            body: { attacker, _ in
                target(#"{"type": "openai", "model": "m", "baseURL": "\#(attacker)", "apiKeyEnv": "OPENAI_API_KEY"}"#)
            }, field: "target.providers[0].apiKeyEnv"),
        Hostile(
            name: "inline provider with apiKeyFile",
            body: { attacker, file in
                target(#"{"type": "openai", "model": "m", "baseURL": "\#(attacker)", "apiKeyFile": "\#(file)"}"#)
            }, field: "target.providers[0].apiKeyFile"),
        Hostile(
            name: "inline provider reusing a configured key's variable (openai's default, OPENAI_API_KEY)",
            body: { attacker, _ in target(#"{"type": "openai", "model": "m-prod", "baseURL": "\#(attacker)"}"#) },
            field: "target.providers[0].baseURL"),
        Hostile(
            name: "named provider with an overridden baseURL",
            body: { attacker, _ in target(#"{"name": "openai-prod", "baseURL": "\#(attacker)"}"#) },
            field: "target.providers[0].baseURL"),
        Hostile(
            name: "named provider with an overridden model",
            body: { _, _ in target(#"{"name": "openai-prod", "model": "gpt-4o"}"#) },
            field: "target.providers[0].model"),
        Hostile(
            name: "unknown provider name",
            body: { _, _ in target(#""attacker""#) }, field: "target.providers[0]"),
        Hostile(
            name: "judge defined inline",
            body: { attacker, _ in
                #"{"output": "x", "criteria": [{"type": "llmJudge", "rubric": "r", "threshold": 3, "judge": [{"type": "openai", "model": "m", "baseURL": "\#(attacker)", "apiKeyEnv": "OPENAI_API_KEY"}]}]}"#
            }, field: "criteria[0].judge[0].apiKeyEnv"),
    ]

    @Test("each hostile request is a 422 naming the field, on /v1/evaluate and in a batch", arguments: table)
    func refused(_ hostile: Hostile) async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let attacker = try AttackerListener()
        let server = try await SecuredServer.start(emulator)
        let body = hostile.body(attacker.baseURL, server.secretFile)
        for (path, sent, field) in [
            ("/v1/evaluate", body, hostile.field),
            ("/v1/evaluate/batch", #"{"items": [\#(body)]}"#, "items[0]." + hostile.field),
        ] {
            let response = try await server.post(path, sent)
            #expect(response.status == 422, "\(path): \(response.text)")
            let problem = try JSONParser.parse(response.body)
            #expect(problem["errors"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == [field], "\(problem)")
            print(
                "hostile request \"\(hostile.name)\" → \(path): \(response.status) \(problem["detail"]?.stringValue ?? "")"
            )
            for secret in SecuredServer.secrets { #expect(!response.text.contains(secret)) }
        }
        #expect(attacker.connections == 0, "the attacker's listener received \(attacker.received)")
        #expect(try await emulator.stats(route: "openai")["requests"] == 0)
        await server.stop()
        attacker.stop()
        emulator.stop()
    }

    @Test("with --allow-inline-providers key sources stay refused, and an inline provider sends no key at all")
    func inlineAllowedSendsNoKey() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let attacker = try AttackerListener()
        let server = try await SecuredServer.start(emulator, arguments: ["--allow-inline-providers"])
        for hostile in Self.table.prefix(2) {
            let response = try await server.post("/v1/evaluate", hostile.body(attacker.baseURL, server.secretFile))
            #expect(response.status == 422, "\(hostile.name)")
        }
        #expect(attacker.connections == 0)
        let inline = try await server.post("/v1/evaluate", Self.table[2].body(attacker.baseURL, server.secretFile))
        #expect(inline.status == 502, "the attacker's server answered 503: \(inline.text)")
        #expect(attacker.connections >= 1)
        let received = attacker.received
        #expect(received.hasPrefix("POST /v1/chat/completions"))
        #expect(!received.lowercased().contains("authorization:"), "no key header: \(received)")
        for secret in SecuredServer.secrets { #expect(!received.contains(secret)) }
        await server.stop()
        attacker.stop()
        emulator.stop()
    }

    @Test(
        "planted secrets never appear in responses, the log, /metrics or /v1/providers while the configured providers work"
    )
    func plantedSecretsStayPut() async throws {
        // The provider emulator requires the planted key: a 200 proves the key reached the configured provider.
        let emulator = try await ProviderEmulatorProcess.start(arguments: ["--api-key", SecuredServer.providerKey])
        let attacker = try AttackerListener()
        let server = try await SecuredServer.start(emulator)
        var answers: [ClientResponse] = []
        let generate =
            #"{"input": "Paris", "target": {"prompt": "{{input}}", "providers": ["openai-prod"]}, "criteria": [{"type": "contains", "value": "Paris"}, {"type": "llmJudge", "rubric": "r", "threshold": 1}]}"#
        let generated = try await server.post("/v1/evaluate", generate)
        #expect(generated.status == 200, "\(generated.text)")
        #expect(try JSONParser.parse(generated.body)["generation"]?["provider"] == "openai-prod")
        answers.append(generated)
        try await emulator.behave(#"{"errorRate": 1, "errorStatus": 500}"#)
        answers.append(try await server.post("/v1/evaluate", generate))
        for hostile in Self.table {
            answers.append(try await server.post("/v1/evaluate", hostile.body(attacker.baseURL, server.secretFile)))
        }
        answers.append(try await server.send("GET", "/v1/providers"))
        answers.append(try await server.send("GET", "/metrics", token: nil))
        answers.append(try await server.post("/v1/evaluate", generate, token: "wrong-\(SecuredServer.callerToken)"))
        let providers = try JSONParser.parse(answers[answers.count - 3].body)["providers"]?.arrayValue ?? []
        #expect(providers.compactMap { $0["name"]?.stringValue } == ["openai-prod", "house-judge"])
        for entry in providers {
            let keys = Set(entry.objectValue?.keys ?? [])
            #expect(keys.isDisjoint(with: ["apiKeyEnv", "apiKeyFile", "baseURL", "headers"]), "\(keys)")
        }
        let log = await server.stop()
        #expect(log.contains("\"listening\""))
        let texts = answers.map(\.text) + [log]
        for secret in SecuredServer.secrets {
            for text in texts { #expect(!text.contains(secret), "\(secret) leaked into: \(text.prefix(300))") }
        }
        #expect(!answers.map(\.text).joined().contains("OPENAI_API_KEY"), "responses never name key variables")
        #expect(attacker.connections == 0)
        attacker.stop()
        emulator.stop()
    }
}
