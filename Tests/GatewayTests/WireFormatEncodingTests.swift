import AssayCore
import Testing

@testable import AssayHTTP
@testable import Gateway
@testable import Providers

@Suite("Wire formats: request encoding")
struct WireFormatEncodingTests {
    static let chat = ChatRequest(
        messages: [.system("Be terse."), .user("What is 2+2?"), .assistant("4"), .user("And 3+3?")], maxTokens: 50,
        temperature: 0.2, topP: 0.9, stop: ["END"], seed: 7)
    static let key = APIKey("k-123")

    static func body(_ request: ClientRequest) throws -> JSONValue { try JSONParser.parse(request.body) }

    @Test("OpenAI: bearer key, model and messages in order, OpenAI parameter names")
    func openAI() throws {
        let config = ProviderConfig(type: .openai, model: "gpt-4o-mini", baseURL: "http://localhost:11434/v1/")
        let request = WireFormat.encode(Self.chat, config: config, key: Self.key)
        #expect(request.method == "POST")
        #expect(request.url == "http://localhost:11434/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer k-123")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.timeout == .seconds(5))
        let body = try Self.body(request)
        #expect(body["model"] == "gpt-4o-mini")
        #expect(body["messages"]?.arrayValue?.count == 4)
        #expect(body["messages"]?.arrayValue?.first == ["role": "system", "content": "Be terse."])
        #expect(body["max_tokens"] == 50)
        #expect(body["temperature"] == 0.2)
        #expect(body["top_p"] == 0.9)
        #expect(body["stop"] == ["END"])
        #expect(body["seed"] == 7)
    }

    @Test("OpenAI-compatible servers without a key get no Authorization header")
    func openAINoKey() {
        let config = ProviderConfig(type: .openai, model: "llama3", baseURL: "http://ollama:11434/v1")
        #expect(WireFormat.encode(Self.chat, config: config, key: nil).header("Authorization") == nil)
    }

    @Test("Azure: deployment URL with api-version, api-key header, no model in the body")
    func azure() throws {
        let config = ProviderConfig(
            type: .azure, model: "gpt4o prod", baseURL: "https://acme.openai.azure.com", apiVersion: "2024-10-21")
        let request = WireFormat.encode(Self.chat, config: config, key: Self.key)
        #expect(
            request.url
                == "https://acme.openai.azure.com/openai/deployments/gpt4o%20prod/chat/completions?api-version=2024-10-21"
        )
        #expect(request.header("api-key") == "k-123")
        #expect(request.header("Authorization") == nil)
        let body = try Self.body(request)
        #expect(body["model"] == nil)
        #expect(body["messages"]?.arrayValue?.count == 4)
    }

    @Test("Anthropic: x-api-key, anthropic-version, system lifted out, max_tokens always set")
    func anthropic() throws {
        let config = ProviderConfig(type: .anthropic, model: "claude-sonnet-4-20250514")
        let request = WireFormat.encode(Self.chat, config: config, key: Self.key)
        #expect(request.url == "https://api.anthropic.com/v1/messages")
        #expect(request.header("x-api-key") == "k-123")
        #expect(request.header("anthropic-version") == "2023-06-01")
        let body = try Self.body(request)
        #expect(body["system"] == "Be terse.")
        #expect(body["messages"]?.arrayValue?.map { $0["role"] } == ["user", "assistant", "user"])
        #expect(body["max_tokens"] == 50)
        #expect(body["stop_sequences"] == ["END"])
        let defaulted = try Self.body(
            WireFormat.encode(ChatRequest(messages: [.user("hi")]), config: config, key: nil))
        #expect(defaulted["max_tokens"] == .number(Double(ChatRequest.defaultAnthropicMaxTokens)))
    }

    @Test("Gemini: model in the path, key in x-goog-api-key not the URL, model role, generationConfig")
    func gemini() throws {
        let config = ProviderConfig(type: .gemini, model: "gemini-2.0-flash")
        let request = WireFormat.encode(Self.chat, config: config, key: Self.key)
        #expect(
            request.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent")
        #expect(request.header("x-goog-api-key") == "k-123")
        #expect(!request.url.contains("k-123"))
        let body = try Self.body(request)
        #expect(body["contents"]?.arrayValue?.map { $0["role"] } == ["user", "model", "user"])
        #expect(body["contents"]?.arrayValue?.last?["parts"] == [["text": "And 3+3?"]])
        #expect(body["systemInstruction"] == ["parts": [["text": "Be terse."]]])
        #expect(body["generationConfig"]?["maxOutputTokens"] == 50)
        #expect(body["generationConfig"]?["stopSequences"] == ["END"])
    }

    @Test("a request's description redacts credential headers and the query")
    func requestDescriptionRedacts() {
        let request = ClientRequest(
            method: "POST", url: "https://x/v1beta/models/m:generateContent?key=k-123",
            headers: [(name: "x-goog-api-key", value: "k-123"), (name: "Accept", value: "application/json")])
        #expect(!request.description.contains("k-123"))
        #expect(request.description.contains("Accept: application/json"))
    }
}
