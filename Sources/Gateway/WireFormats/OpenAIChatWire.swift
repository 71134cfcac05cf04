import AssayCore
import AssayHTTP
import Providers

/// OpenAI Chat Completions, `POST {baseURL}/chat/completions`
/// (https://platform.openai.com/docs/api-reference/chat/create). Also the format of vLLM,
/// Ollama, LM Studio, Together, Groq and other compatible servers.
enum OpenAIChatWire {
    static func encode(_ chat: ChatRequest, config: ProviderConfig, key: APIKey?) -> ClientRequest {
        var headers: [(name: String, value: String)] = []
        if let key { headers.append((name: "Authorization", value: "Bearer \(key.value)")) }
        return ClientRequest(
            method: "POST", url: "\(config.resolvedBaseURL)/chat/completions", headers: WireFormat.jsonHeaders(headers),
            body: JSONWriter.bytes(body(chat, model: config.model)))
    }

    /// The request body; Azure sends the same without `model` (the deployment names it).
    static func body(_ chat: ChatRequest, model: String?) -> JSONValue {
        var o = JSONObject()
        if let model { o["model"] = .string(model) }
        o["messages"] = .array(
            chat.messages.map {
                .object(JSONObject([("role", .string($0.role.rawValue)), ("content", .string($0.content))]))
            })
        // `max_tokens` rather than the newer `max_completion_tokens`: every compatible server
        // accepts it, and OpenAI still does for chat models.
        if let n = chat.maxTokens { o["max_tokens"] = .number(Double(n)) }
        if let t = chat.temperature { o["temperature"] = .number(t) }
        if let p = chat.topP { o["top_p"] = .number(p) }
        if !chat.stop.isEmpty { o["stop"] = .array(chat.stop.map(JSONValue.string)) }
        if let seed = chat.seed { o["seed"] = .number(Double(seed)) }
        return .object(o)
    }

    /// `{"model", "choices": [{"message": {"content"}, "finish_reason"}], "usage": {"prompt_tokens",
    /// "completion_tokens"}}`; `content` is null when the model only called tools.
    static func decode(_ json: JSONValue, config: ProviderConfig) throws(FieldError) -> ChatResponse {
        let root = try JSONFields(json, at: "")
        let choices = try root.required("choices", root.array)
        guard let first = choices.first else { throw FieldError(path: "choices", message: "is empty") }
        let choice = try JSONFields(first, at: "choices[0]")
        let message = try choice.required("message", choice.objectFields)
        let text = try message.string("content") ?? ""
        let usage = try root.objectFields("usage")
        return ChatResponse(
            text: text, model: try root.string("model") ?? config.model,
            finishReason: finishReason(try choice.string("finish_reason") ?? "stop"),
            usage: TokenUsage(
                inputTokens: try usage.map { u throws(FieldError) in try WireFormat.count(u, "prompt_tokens") } ?? 0,
                outputTokens: try usage.map { u throws(FieldError) in try WireFormat.count(u, "completion_tokens") }
                    ?? 0))
    }

    /// `stop`, `length`, `content_filter`, `tool_calls`, and the deprecated `function_call`.
    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "stop": .stop
        case "length": .length
        case "content_filter": .contentFilter
        case "tool_calls", "function_call": .toolCall
        default: .other(raw)
        }
    }
}
