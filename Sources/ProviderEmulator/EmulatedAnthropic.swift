import AssayCore

/// Anthropic Messages (https://docs.anthropic.com/en/api/messages); errors per
/// https://docs.anthropic.com/en/api/errors.
enum EmulatedAnthropic {
    static func parse(_ json: JSONValue) throws(FieldError) -> EmulatedPrompt {
        let root = try JSONFields(json, at: "")
        let model = try root.required("model", root.string)
        let maxTokens = try root.required("max_tokens", root.integer)
        guard maxTokens >= 1 else { throw FieldError(path: "max_tokens", message: "must be at least 1") }
        // The API has no system role in messages: the system prompt is the top-level field.
        let messages = try EmulatedPrompt.messages(root, contentRequired: true) { role in
            role == "user" || role == "assistant" ? nil : "must be \"user\" or \"assistant\", got \(role)"
        }
        return EmulatedPrompt(model: model, system: try root.string("system"), messages: messages, maxTokens: maxTokens)
    }

    static func answer(prompt: EmulatedPrompt, answer: DeterministicAnswer, id: Int) -> JSONValue {
        [
            "id": .string("msg_emu_\(id)"), "type": "message", "role": "assistant", "model": .string(prompt.model),
            "content": [["type": "text", "text": .string(answer.text)]],
            "stop_reason": .string(answer.truncated ? "max_tokens" : "end_turn"), "stop_sequence": nil,
            "usage": [
                "input_tokens": .number(Double(answer.inputTokens)),
                "output_tokens": .number(Double(answer.outputTokens)),
            ],
        ]
    }

    /// `{"type": "error", "error": {"type", "message"}}`.
    static func error(status: Int, message: String) -> JSONValue {
        let type =
            switch status {
            case 400, 422: "invalid_request_error"
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 413: "request_too_large"
            case 429: "rate_limit_error"
            case 529, 503: "overloaded_error"
            default: "api_error"
            }
        return ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
    }
}
