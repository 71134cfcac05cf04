import TestSupport
import Testing

@testable import Gateway
@testable import Providers

@Suite("Provider API keys")
struct ProviderAPIKeyTests {
    static let secret = "sk-test-0123456789abcdef"

    @Test("an API key never shows itself in descriptions, debug output or reflection")
    func keyIsRedacted() {
        let key = APIKey(Self.secret)
        #expect(!"\(key)".contains(Self.secret))
        #expect(!String(reflecting: key).contains(Self.secret))
        #expect(!String(describing: [key]).contains(Self.secret))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(Self.secret))
    }

    @Test(
        "keys resolve from the environment and from files, trimmed",
        arguments: [
            (APIKeySource.environment("MY_KEY"), "  \(secret)\n"),
            (.file("/secrets/key"), "\(secret)\n"),
            (.defaultEnvironment("MY_KEY"), secret),
        ])
    func resolves(source: APIKeySource, raw: String) throws {
        let env = ProviderFixtures.environment(["MY_KEY": raw], files: ["/secrets/key": raw])
        #expect(try source.resolve(in: env)?.value == Self.secret)
    }

    @Test("an unset default variable means no key; an unset configured one is an error naming it")
    func missingKeys() throws {
        let env = ProviderFixtures.environment()
        #expect(try APIKeySource.defaultEnvironment("OPENAI_API_KEY").resolve(in: env) == nil)
        #expect(throws: ProviderError.missingAPIKey("environment variable MY_KEY is not set or empty")) {
            try APIKeySource.environment("MY_KEY").resolve(in: env)
        }
        #expect {
            try APIKeySource.file("/nope").resolve(in: env)
        } throws: { error in
            guard case .missingAPIKey(let m) = error as? ProviderError else { return false }
            return m.contains("/nope")
        }
        #expect(throws: ProviderError.missingAPIKey("API key file /empty is empty")) {
            try APIKeySource.file("/empty").resolve(in: ProviderFixtures.environment(files: ["/empty": "\n"]))
        }
    }

    @Test("the process environment reads real key files")
    func readsRealFile() throws {
        let here = String(#filePath)
        let fixtureDir = here[..<here.lastIndex(of: "/")!] + "/Fixtures/providers"
        let bytes = ProviderEnvironment.process.readFile("\(fixtureDir)/anthropic-error-overloaded.json")
        #expect(bytes?.isEmpty == false)
        #expect(ProviderEnvironment.process.readFile("\(fixtureDir)/does-not-exist") == nil)
    }

    @Test("the key is sent only in its header and never appears in an error's description")
    func keyNotInErrors() async throws {
        let config = ProviderConfig(type: .openai, model: "m", apiKeyEnv: "K")
        let env = ProviderFixtures.environment(["K": Self.secret])
        let bodies = [
            // A provider echoing the key back must not leak it through us.
            #"{"error": {"message": "Incorrect API key provided: \#(Self.secret)."}}"#,
            #"{"error": {"message": "bad request for key \#(Self.secret)"}}"#,
        ]
        for (status, body) in zip([401, 400], bodies) {
            let transport = ProviderFakeTransport(status: status, body: body)
            let client = ProviderClient(config: config, transport: transport, environment: env)
            do throws(ProviderError) {
                _ = try await client.complete(ChatRequest(messages: [.user("hi")]))
                Issue.record("expected an error")
            } catch {
                #expect(!error.description.contains(Self.secret))
                #expect(!String(reflecting: error).contains(Self.secret))
            }
            let sent = try #require(transport.requests.first)
            #expect(sent.header("Authorization") == "Bearer \(Self.secret)")
            #expect(!sent.description.contains(Self.secret))
            #expect(!sent.body.contains(Array(Self.secret.utf8)))
        }
    }
}
