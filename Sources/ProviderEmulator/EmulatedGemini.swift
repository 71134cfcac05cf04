import AssayCore

/// Gemini `generateContent` (https://ai.google.dev/api/generate-content); errors use Google's
/// `{"error": {"code", "message", "status"}}` (https://ai.google.dev/gemini-api/docs/troubleshooting).
enum EmulatedGemini {
    static func parse(_ json: JSONValue, model: String) throws(FieldError) -> EmulatedPrompt {
        let root = try JSONFields(json, at: "")
        let contents = try root.required("contents", root.array)
        guard !contents.isEmpty else { throw FieldError(path: "contents", message: "must not be empty") }
        var messages: [EmulatedPrompt.Message] = []
        for (i, item) in contents.enumerated() {
            let c = try JSONFields(item, at: FieldError.join("contents", i))
            let role = try c.string("role") ?? "user"
            guard role == "user" || role == "model" else {
                throw FieldError(path: c.path("role"), message: "must be \"user\" or \"model\", got \(role)")
            }
            messages.append(EmulatedPrompt.Message(role: role == "model" ? "assistant" : "user", text: try text(of: c)))
        }
        let system = try root.objectFields("systemInstruction").map { s throws(FieldError) in try text(of: s) }
        let generation = try root.objectFields("generationConfig")
        let maxTokens = try generation.flatMap { g throws(FieldError) in try g.integer("maxOutputTokens") }
        return EmulatedPrompt(model: model, system: system, messages: messages, maxTokens: maxTokens)
    }

    private static func text(of content: JSONFields) throws(FieldError) -> String {
        let parts = try content.required("parts", content.array)
        var text = ""
        for (i, part) in parts.enumerated() {
            text += try JSONFields(part, at: FieldError.join(content.path("parts"), i)).string("text") ?? ""
        }
        return text
    }

    static func answer(prompt: EmulatedPrompt, answer: DeterministicAnswer, id: Int) -> JSONValue {
        [
            "candidates": [
                [
                    "content": ["role": "model", "parts": [["text": .string(answer.text)]]],
                    "finishReason": .string(answer.truncated ? "MAX_TOKENS" : "STOP"), "index": 0,
                ]
            ],
            "usageMetadata": [
                "promptTokenCount": .number(Double(answer.inputTokens)),
                "candidatesTokenCount": .number(Double(answer.outputTokens)),
                "totalTokenCount": .number(Double(answer.inputTokens + answer.outputTokens)),
            ],
            "modelVersion": .string(prompt.model), "responseId": .string("emu-\(id)"),
        ]
    }

    static func error(status: Int, message: String) -> JSONValue {
        let name =
            switch status {
            case 400: "INVALID_ARGUMENT"
            case 401: "UNAUTHENTICATED"
            case 403: "PERMISSION_DENIED"
            case 404: "NOT_FOUND"
            case 429: "RESOURCE_EXHAUSTED"
            case 503: "UNAVAILABLE"
            case 504: "DEADLINE_EXCEEDED"
            default: "INTERNAL"
            }
        return ["error": ["code": .number(Double(status)), "message": .string(message), "status": .string(name)]]
    }
}
