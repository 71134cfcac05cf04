import AssayCore
import AssayHTTP
import Providers

/// Anthropic Messages, `POST {baseURL}/v1/messages` with `x-api-key` and `anthropic-version`
/// (https://docs.anthropic.com/en/api/messages). System prompts go in the top-level `system`
/// field, not in `messages`; `max_tokens` is required.
enum AnthropicMessagesWire {
    static func encode(_ chat: ChatRequest, config: ProviderConfig, key: APIKey?) -> ClientRequest {
        var headers: [(name: String, value: String)] = [
            (name: "anthropic-version", value: config.apiVersion ?? ProviderConfig.defaultAnthropicVersion)
        ]
        if let key { headers.append((name: "x-api-key", value: key.value)) }
        var o = JSONObject()
        o["model"] = .string(config.model)
        o["max_tokens"] = .number(Double(chat.maxTokens ?? ChatRequest.defaultAnthropicMaxTokens))
        if let system = chat.systemText { o["system"] = .string(system) }
        o["messages"] = .array(
            chat.messages.filter { $0.role != .system }.map {
                .object(JSONObject([("role", .string($0.role.rawValue)), ("content", .string($0.content))]))
            })
        if let t = chat.temperature { o["temperature"] = .number(t) }
        if let p = chat.topP { o["top_p"] = .number(p) }
        if !chat.stop.isEmpty { o["stop_sequences"] = .array(chat.stop.map(JSONValue.string)) }
        return ClientRequest(
            method: "POST", url: "\(config.resolvedBaseURL)/v1/messages", headers: WireFormat.jsonHeaders(headers),
            body: JSONWriter.bytes(.object(o)))
    }

    /// `{"model", "content": [{"type": "text", "text"}, ...], "stop_reason", "usage":
    /// {"input_tokens", "output_tokens"}}`; text blocks are concatenated, others skipped.
    static func decode(_ json: JSONValue, config: ProviderConfig) throws(FieldError) -> ChatResponse {
        let root = try JSONFields(json, at: "")
        let blocks = try root.required("content", root.array)
        var text = ""
        for (i, block) in blocks.enumerated() {
            let fields = try JSONFields(block, at: FieldError.join("content", i))
            if try fields.string("type") == "text" { text += try fields.required("text", fields.string) }
        }
        let usage = try root.required("usage", root.objectFields)
        return ChatResponse(
            text: text, model: try root.string("model") ?? config.model,
            finishReason: finishReason(try root.string("stop_reason") ?? "end_turn"),
            usage: TokenUsage(
                inputTokens: try WireFormat.count(usage, "input_tokens"),
                outputTokens: try WireFormat.count(usage, "output_tokens")))
    }

    /// `end_turn`, `stop_sequence`, `max_tokens`, `tool_use`, `refusal`, `pause_turn`
    /// (https://docs.anthropic.com/en/api/handling-stop-reasons).
    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "end_turn", "stop_sequence": .stop
        case "max_tokens": .length
        case "tool_use": .toolCall
        case "refusal": .contentFilter
        default: .other(raw)
        }
    }
}
