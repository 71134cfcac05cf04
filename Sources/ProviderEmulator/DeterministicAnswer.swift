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
}
