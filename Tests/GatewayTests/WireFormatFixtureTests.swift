import TestSupport
import Testing

@testable import AssayHTTP
@testable import Gateway
@testable import Providers

@Suite("Wire formats: documented example responses")
struct WireFormatFixtureTests {
    struct Case: Sendable, CustomStringConvertible {
        var type: ProviderType
        var fixture: String
        var text: String
        var model: String
        var finish: FinishReason
        var usage: TokenUsage
        var description: String { fixture }
    }

    static let cases: [Case] = [
        Case(
            type: .openai, fixture: "openai-chat-completion.json", text: "\n\nHello there, how may I assist you today?",
            model: "gpt-4o-mini", finish: .stop, usage: TokenUsage(inputTokens: 9, outputTokens: 12)),
        Case(
            type: .azure, fixture: "azure-chat-completion.json",
            text: "Yes, other Azure AI services also support customer managed keys.", model: "gpt-4o-2024-08-06",
            finish: .length, usage: TokenUsage(inputTokens: 59, outputTokens: 11)),
        Case(
            type: .anthropic, fixture: "anthropic-message.json", text: "Hi! My name is Claude.",
            model: "claude-sonnet-4-20250514", finish: .stop, usage: TokenUsage(inputTokens: 2095, outputTokens: 503)),
        Case(
            type: .gemini, fixture: "gemini-generate-content.json",
            text: "In a sunlit corner of the workshop, a small robot named Bolt discovered a dusty backpack.",
            model: "gemini-2.0-flash", finish: .length, usage: TokenUsage(inputTokens: 8, outputTokens: 16)),
        Case(
            type: .gemini, fixture: "gemini-blocked-prompt.json", text: "", model: "gemini-2.0-flash",
            finish: .contentFilter, usage: TokenUsage(inputTokens: 12, outputTokens: 0)),
    ]

    @Test("documented success responses decode to text, model, finish reason and usage", arguments: cases)
    func decodesFixture(c: Case) throws {
        let config = ProviderConfig(type: c.type, model: "configured", baseURL: "https://x", apiVersion: "v")
        let response = ClientResponse(status: 200, body: ProviderFixtures.bytes(c.fixture))
        #expect(!response.body.isEmpty)
        let chat = try WireFormat.decode(response, config: config)
        #expect(chat.text == c.text)
        #expect(chat.model == c.model)
        #expect(chat.finishReason == c.finish)
        #expect(chat.usage == c.usage)
    }

    @Test(
        "documented error bodies classify with the provider's message",
        arguments: [
            (
                ProviderType.openai, 429, "openai-error-rate-limit.json",
                ProviderError.rateLimited(
                    retryAfter: .seconds(20),
                    message:
                        "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s."
                )
            ),
            (.anthropic, 529, "anthropic-error-overloaded.json", .server(status: 529, message: "Overloaded")),
            (
                .gemini, 429, "gemini-error-resource-exhausted.json",
                .rateLimited(retryAfter: .seconds(20), message: "Resource has been exhausted (e.g. check quota).")
            ),
        ])
    func classifiesErrorFixture(type: ProviderType, status: Int, fixture: String, expected: ProviderError) {
        let config = ProviderConfig(type: type, model: "m")
        let response = ClientResponse(
            status: status, headers: [(name: "Retry-After", value: "20")], body: ProviderFixtures.bytes(fixture))
        #expect(WireFormat.classify(response, config: config) == expected)
        #expect(expected.isRetryable)
    }

    @Test(
        "finish reasons normalise across providers",
        arguments: [
            (ProviderType.openai, "stop", FinishReason.stop), (.openai, "length", .length),
            (.openai, "content_filter", .contentFilter), (.openai, "tool_calls", .toolCall),
            (.anthropic, "end_turn", .stop), (.anthropic, "stop_sequence", .stop), (.anthropic, "max_tokens", .length),
            (.anthropic, "tool_use", .toolCall), (.anthropic, "refusal", .contentFilter),
            (.anthropic, "pause_turn", .other("pause_turn")), (.gemini, "STOP", .stop),
            (.gemini, "MAX_TOKENS", .length),
            (.gemini, "SAFETY", .contentFilter), (.gemini, "RECITATION", .contentFilter),
            (.gemini, "OTHER", .other("OTHER")),
        ])
    func finishReasons(type: ProviderType, raw: String, expected: FinishReason) {
        let mapped =
            switch type {
            case .openai, .azure: OpenAIChatWire.finishReason(raw)
            case .anthropic: AnthropicMessagesWire.finishReason(raw)
            case .gemini: GeminiWire.finishReason(raw)
            }
        #expect(mapped == expected)
    }

    @Test(
        "2xx bodies that are not the expected JSON are bad responses naming the problem",
        arguments: [
            (ProviderType.openai, #"{"choices": [{"message": {"content": "x""#, "not valid JSON"),
            (.openai, #"{"choices": []}"#, "choices"),
            (.openai, #"{"choices": [{"finish_reason": "stop"}]}"#, "choices[0].message"),
            (.anthropic, #"{"content": [{"type": "text", "text": 3}], "usage": {}}"#, "content[0].text"),
            (.anthropic, #"{"content": []}"#, "usage"),
            (.gemini, #"{"candidates": []}"#, "candidates"),
            (.gemini, #"{"candidates": [{}], "usageMetadata": {"promptTokenCount": -1}}"#, "promptTokenCount"),
        ])
    func malformedBodies(type: ProviderType, body: String, mentions: String) {
        let config = ProviderConfig(type: type, model: "m")
        #expect {
            _ = try WireFormat.decode(ClientResponse(status: 200, body: Array(body.utf8)), config: config)
        } throws: { error in
            guard case .badResponse(let m) = error as? ProviderError else { return false }
            return m.contains(mentions)
        }
    }
}
