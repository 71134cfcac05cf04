import AssayCore

/// OpenAI Chat Completions as served by OpenAI and Azure
/// (https://platform.openai.com/docs/api-reference/chat/create).
enum EmulatedOpenAI {
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    static func parse(_ json: JSONValue, deployment: String?) throws(FieldError) -> EmulatedPrompt {
        let root = try JSONFields(json, at: "")
        // Azure takes the model from the deployment in the path; OpenAI requires it in the body.
        let model: String
        if let deployment { model = deployment } else { model = try root.required("model", root.string) }
        let messages = try EmulatedPrompt.messages(root, contentRequired: false) { role in
            roles.contains(role) ? nil : "unknown role \(role)"
        }
        var maxTokens = try root.integer("max_completion_tokens")
        if maxTokens == nil { maxTokens = try root.integer("max_tokens") }
        if let t = try root.number("temperature"), !(0...2).contains(t) {
            throw FieldError(path: "temperature", message: "must be between 0 and 2")
        }
        return EmulatedPrompt(model: model, system: nil, messages: messages, maxTokens: maxTokens)
    }

    static func answer(prompt: EmulatedPrompt, answer: DeterministicAnswer, id: Int) -> JSONValue {
        [
            "id": .string("chatcmpl-emu-\(id)"), "object": "chat.completion", "created": 1_700_000_000,
            "model": .string(prompt.model),
            "choices": [
                [
                    "index": 0, "message": ["role": "assistant", "content": .string(answer.text)], "logprobs": nil,
                    "finish_reason": .string(answer.truncated ? "length" : "stop"),
                ]
            ],
            "usage": [
                "prompt_tokens": .number(Double(answer.inputTokens)),
                "completion_tokens": .number(Double(answer.outputTokens)),
                "total_tokens": .number(Double(answer.inputTokens + answer.outputTokens)),
            ],
        ]
    }

    /// `{"error": {"message", "type", "param", "code"}}`.
    static func error(status: Int, message: String) -> JSONValue {
        let (type, code): (String, JSONValue) =
            switch status {
            case 400, 404, 422: ("invalid_request_error", nil)
            case 401: ("invalid_request_error", "invalid_api_key")
            case 429: ("requests", "rate_limit_exceeded")
            default: ("server_error", nil)
            }
        return ["error": ["message": .string(message), "type": .string(type), "param": nil, "code": code]]
    }
}
