import AssayCore

/// The emulator's answer to a prompt: `echo: <last user message>`, so tests can check that the
/// prompt arrived intact. Token counts are word counts (whitespace-separated), which keeps usage
/// predictable; `maxTokens` below the answer's length truncates it and reports a length stop.
struct DeterministicAnswer: Sendable, Equatable {
    var text: String
    var inputTokens: Int
    var outputTokens: Int
    var truncated: Bool

    static let prefix = "echo:"

    init(prompt: EmulatedPrompt) {
        let last = prompt.messages.last { $0.role == "user" }?.text ?? ""
        var words = [Self.prefix] + Self.words(last)
        truncated = false
        if let max = prompt.maxTokens, max >= 0, words.count > max {
            words = Array(words.prefix(max))
            truncated = true
        }
        text = words.joined(separator: " ")
        outputTokens = words.count
        inputTokens = prompt.messages.reduce(Self.words(prompt.system ?? "").count) { $0 + Self.words($1.text).count }
    }

    static func words(_ s: String) -> [String] { s.split(whereSeparator: \.isWhitespace).map(String.init) }
}

/// A request as the emulator understood it, whatever the wire format.
struct EmulatedPrompt: Sendable, Equatable {
    struct Message: Sendable, Equatable {
        var role: String
        var text: String
    }

    var model: String
    var system: String?
    var messages: [Message]
    var maxTokens: Int?

    /// The body's `messages` (Anthropic's and OpenAI's shape): not empty, each with a role that
    /// `roleProblem` finds nothing wrong with, and its `content` (required, or empty when absent).
    static func messages(
        _ root: JSONFields, contentRequired: Bool, roleProblem: (String) -> String?
    ) throws(FieldError) -> [Message] {
        let items = try root.required("messages", root.array)
        guard !items.isEmpty else { throw FieldError(path: "messages", message: "must not be empty") }
        var messages: [Message] = []
        for (i, item) in items.enumerated() {
            let m = try JSONFields(item, at: FieldError.join("messages", i))
            let role = try m.required("role", m.string)
            if let problem = roleProblem(role) { throw FieldError(path: m.path("role"), message: problem) }
            let text = contentRequired ? try m.required("content", m.string) : try m.string("content") ?? ""
            messages.append(Message(role: role, text: text))
        }
        return messages
    }
}
