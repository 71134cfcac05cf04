import AssayHTTP
import Gateway
import Providers
import Testing

@testable import ProviderEmulator

/// Starts an emulator on a free loopback port for the duration of `body`.
func withProviderEmulator(
    apiKey: String? = nil, _ body: (EmulatorServer) async throws -> Void
) async throws {
    var options = EmulatorOptions()
    options.port = 0
    options.apiKey = apiKey
    let server = try EmulatorServer.start(options)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// A provider config of `type` aimed at the emulator.
func emulatedProvider(_ type: ProviderType, _ server: EmulatorServer, timeoutSeconds: Double = 5) -> ProviderConfig {
    switch type {
    case .openai:
        ProviderConfig(
            type: .openai, model: "gpt-4o-mini", baseURL: "\(server.baseURL)/v1", apiKeyEnv: "EMU_KEY",
            timeoutSeconds: timeoutSeconds)
    case .azure:
        ProviderConfig(
            type: .azure, model: "gpt4o-deployment", baseURL: server.baseURL, apiKeyEnv: "EMU_KEY",
            apiVersion: "2024-10-21", timeoutSeconds: timeoutSeconds)
    case .anthropic:
        ProviderConfig(
            type: .anthropic, model: "claude-sonnet-4-20250514", baseURL: server.baseURL, apiKeyEnv: "EMU_KEY",
            timeoutSeconds: timeoutSeconds)
    case .gemini:
        ProviderConfig(
            type: .gemini, model: "gemini-2.0-flash", baseURL: server.baseURL, apiKeyFile: "/secrets/gemini",
            timeoutSeconds: timeoutSeconds)
    }
}

let emulatorKey = "emu-secret-key-42"
let emulatorKeyEnvironment = ProviderEnvironment(
    variable: { $0 == "EMU_KEY" ? emulatorKey : nil },
    readFile: { $0 == "/secrets/gemini" ? Array("\(emulatorKey)\n".utf8) : nil })

extension ProviderType {
    var emulatorRoute: EmulatorRoute { EmulatorRoute(rawValue: rawValue)! }
}

@Suite("Provider wire formats against the emulator")
struct ProviderRoundTripTests {
    static let chat = ChatRequest(
        messages: [.system("Be terse."), .user("What is 2+2?"), .assistant("4"), .user("And three plus three?")],
        temperature: 0.2)

    @Test(
        "each wire format round-trips: request accepted, answer, usage and finish reason decoded",
        arguments: ProviderType.allCases)
    func roundTrip(type: ProviderType) async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator(apiKey: emulatorKey) { server in
            let config = emulatedProvider(type, server)
            let client = ProviderClient(config: config, transport: http, environment: emulatorKeyEnvironment)
            let response = try await client.complete(Self.chat)
            #expect(response.text == "echo: And three plus three?")
            #expect(response.finishReason == .stop)
            // Words: system 2 (where the format carries it separately or in messages) + 3 + 1 + 4.
            #expect(response.usage == TokenUsage(inputTokens: 10, outputTokens: 5))
            #expect(response.model == config.model)
            #expect(server.emulator.state.counts(type.emulatorRoute).ok == 1)

            var short = Self.chat
            short.maxTokens = 2
            let truncated = try await client.complete(short)
            #expect(truncated.text == "echo: And")
            #expect(truncated.finishReason == .length)
        }
    }

    @Test(
        "a wrong key is an auth error whose description names the source, not the key", arguments: ProviderType.allCases
    )
    func wrongKey(type: ProviderType) async throws {
        let http = try CurlHTTPClient()
        let wrong = "wrong-key-\(type.rawValue)-999"
        let environment = ProviderEnvironment(
            variable: { $0 == "EMU_KEY" ? wrong : nil }, readFile: { _ in Array(wrong.utf8) })
        try await withProviderEmulator(apiKey: emulatorKey) { server in
            let client = ProviderClient(
                config: emulatedProvider(type, server), transport: http, environment: environment)
            await #expect {
                _ = try await client.complete(Self.chat)
            } throws: { error in
                guard let error = error as? ProviderError, case .auth = error else { return false }
                return !error.description.contains(wrong) && !error.isRetryable
            }
            #expect(server.emulator.state.counts(type.emulatorRoute).rejected == 1)
        }
    }
}
