import AssayCore
import AssayHTTP
import Providers

/// Maps provider-neutral requests and responses to one wire format, and classifies failures.
///
/// Each format is an enum of static functions (`OpenAIChatWire`, `AzureOpenAIWire`,
/// `AnthropicMessagesWire`, `GeminiWire`); this file holds the dispatch and the parts they share.
enum WireFormat {
    static func encode(_ chat: ChatRequest, config: ProviderConfig, key: APIKey?) -> ClientRequest {
        var request =
            switch config.type {
            case .openai: OpenAIChatWire.encode(chat, config: config, key: key)
            case .azure: AzureOpenAIWire.encode(chat, config: config, key: key)
            case .anthropic: AnthropicMessagesWire.encode(chat, config: config, key: key)
            case .gemini: GeminiWire.encode(chat, config: config, key: key)
            }
        request.timeout = .milliseconds(Int64(config.timeoutSeconds * 1000))
        return request
    }

    /// A 2xx body → ``ChatResponse``; anything else → a classified ``ProviderError``.
    static func decode(_ response: ClientResponse, config: ProviderConfig) throws(ProviderError) -> ChatResponse {
        guard (200..<300).contains(response.status) else { throw classify(response, config: config) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(response.body)
        } catch {
            throw .badResponse("\(config.type.rawValue) response is not valid JSON (\(error))")
        }
        do {
            return switch config.type {
            case .openai, .azure: try OpenAIChatWire.decode(json, config: config)
            case .anthropic: try AnthropicMessagesWire.decode(json, config: config)
            case .gemini: try GeminiWire.decode(json, config: config)
            }
        } catch {
            throw .badResponse("\(config.type.rawValue) response: \(error)")
        }
    }

    /// Status → error class. Error bodies of all four APIs carry `error.message` (OpenAI and
    /// Azure: `{"error": {"message", "type", "code"}}`; Anthropic: `{"type": "error", "error":
    /// {"type", "message"}}`; Gemini: `{"error": {"code", "message", "status"}}`); some
    /// OpenAI-compatible servers send `{"error": "text"}`.
    static func classify(_ response: ClientResponse, config: ProviderConfig) -> ProviderError {
        let message = errorMessage(response.body)
        switch response.status {
        case 429:
            return .rateLimited(retryAfter: ProviderRetryDelay.delay(from: response), message: message)
        case 401, 403:
            // Provider text for auth failures may quote part of the key (OpenAI masks all but a
            // few characters); say where the key came from instead.
            return .auth("HTTP \(response.status) using the key from \(config.apiKeySource)")
        case 408:
            return .timeout("HTTP 408 from the provider")
        case 400..<500:
            return .invalidRequest("HTTP \(response.status)\(message.isEmpty ? "" : ": \(message)")")
        case 500..<600:
            return .server(status: response.status, message: message)
        default:
            return .badResponse("unexpected HTTP status \(response.status)")
        }
    }

    /// Longest provider message kept in an error: enough for real API error text, while an
    /// upstream's body never reaches a caller beyond this short prefix. (Our choice.)
    static let maxMessageLength = 200

    static func errorMessage(_ body: [UInt8]) -> String {
        guard let json = try? JSONParser.parse(body) else { return "" }
        let text: String? =
            switch json["error"] {
            case .string(let s): s
            case .object(let o): o["message"]?.stringValue
            default: json["message"]?.stringValue
            }
        guard let text else { return "" }
        return text.count > maxMessageLength ? String(text.prefix(maxMessageLength)) + "…" : text
    }

    /// Non-negative whole number or `nil` (usage counts are optional in some compatible servers).
    static func count(_ fields: JSONFields, _ key: String) throws(FieldError) -> Int {
        let n = try fields.integer(key) ?? 0
        guard n >= 0 else { throw FieldError(path: fields.path(key), message: "must not be negative") }
        return n
    }

    static func jsonHeaders(_ extra: [(name: String, value: String)]) -> [(name: String, value: String)] {
        [(name: "Content-Type", value: "application/json"), (name: "Accept", value: "application/json")] + extra
    }
}
