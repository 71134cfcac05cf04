import AssayCore
import AssayHTTP
import Providers

/// Google Gemini, `POST {baseURL}/{apiVersion}/models/{model}:generateContent` with the key in
/// `x-goog-api-key` (https://ai.google.dev/api/generate-content). Roles are `user` and
/// `model`; system text goes in `systemInstruction`.
enum GeminiWire {
    static func encode(_ chat: ChatRequest, config: ProviderConfig, key: APIKey?) -> ClientRequest {
        // The header, not `?key=`, so the key never sits in a URL that may be logged.
        var headers: [(name: String, value: String)] = []
        if let key { headers.append((name: "x-goog-api-key", value: key.value)) }
        var o = JSONObject()
        o["contents"] = .array(
            chat.messages.filter { $0.role != .system }.map { m in
                .object(
                    JSONObject([
                        ("role", .string(m.role == .assistant ? "model" : "user")),
                        ("parts", [.object(JSONObject([("text", .string(m.content))]))]),
                    ]))
            })
        if let system = chat.systemText {
            o["systemInstruction"] = .object(
                JSONObject([("parts", [.object(JSONObject([("text", .string(system))]))])]))
        }
        var generation = JSONObject()
        if let n = chat.maxTokens { generation["maxOutputTokens"] = .number(Double(n)) }
        if let t = chat.temperature { generation["temperature"] = .number(t) }
        if let p = chat.topP { generation["topP"] = .number(p) }
        if !chat.stop.isEmpty { generation["stopSequences"] = .array(chat.stop.map(JSONValue.string)) }
        if let seed = chat.seed { generation["seed"] = .number(Double(seed)) }
        if !generation.isEmpty { o["generationConfig"] = .object(generation) }
        let version = config.apiVersion ?? ProviderConfig.defaultGeminiVersion
        let model = percentEncodePathSegment(config.model)
        return ClientRequest(
            method: "POST", url: "\(config.resolvedBaseURL)/\(version)/models/\(model):generateContent",
            headers: WireFormat.jsonHeaders(headers), body: JSONWriter.bytes(.object(o)))
    }

    /// `{"candidates": [{"content": {"parts": [{"text"}]}, "finishReason"}], "usageMetadata":
    /// {"promptTokenCount", "candidatesTokenCount"}, "modelVersion"}`. A blocked prompt has no
    /// candidates and a `promptFeedback.blockReason`: reported as an empty, filtered answer.
    static func decode(_ json: JSONValue, config: ProviderConfig) throws(FieldError) -> ChatResponse {
        let root = try JSONFields(json, at: "")
        let usage = try root.objectFields("usageMetadata")
        let tokens = TokenUsage(
            inputTokens: try usage.map { u throws(FieldError) in try WireFormat.count(u, "promptTokenCount") } ?? 0,
            outputTokens: try usage.map { u throws(FieldError) in try WireFormat.count(u, "candidatesTokenCount") } ?? 0
        )
        let model = try root.string("modelVersion") ?? config.model
        let candidates = try root.array("candidates") ?? []
        guard let first = candidates.first else {
            guard let feedback = try root.objectFields("promptFeedback"), try feedback.string("blockReason") != nil
            else {
                throw FieldError(path: "candidates", message: "is missing or empty")
            }
            return ChatResponse(text: "", model: model, finishReason: .contentFilter, usage: tokens)
        }
        let candidate = try JSONFields(first, at: "candidates[0]")
        var text = ""
        if let content = try candidate.objectFields("content"), let parts = try content.array("parts") {
            for (i, part) in parts.enumerated() {
                text += try JSONFields(part, at: FieldError.join(content.path("parts"), i)).string("text") ?? ""
            }
        }
        return ChatResponse(
            text: text, model: model, finishReason: finishReason(try candidate.string("finishReason") ?? "STOP"),
            usage: tokens)
    }

    /// `STOP`, `MAX_TOKENS`, and the safety family (`SAFETY`, `RECITATION`, `BLOCKLIST`,
    /// `PROHIBITED_CONTENT`, `SPII`, `IMAGE_SAFETY`) per https://ai.google.dev/api/generate-content#FinishReason.
    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "STOP": .stop
        case "MAX_TOKENS": .length
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": .contentFilter
        case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL": .toolCall
        default: .other(raw)
        }
    }
}
