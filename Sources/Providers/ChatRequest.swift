/// Who wrote a message in a conversation.
public enum ChatRole: String, Sendable, Hashable, CaseIterable {
    case system
    case user
    case assistant
}

public struct ChatMessage: Sendable, Hashable {
    public var role: ChatRole
    public var content: String

    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

/// A provider-neutral chat completion request; wire formats map it onto each API.
public struct ChatRequest: Sendable, Hashable {
    /// Sent to Anthropic when `maxTokens` is unset, since its API requires `max_tokens`
    /// (https://docs.anthropic.com/en/api/messages); 1024 is the value in Anthropic's examples.
    public static let defaultAnthropicMaxTokens = 1024

    public var messages: [ChatMessage]
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stop: [String]
    public var seed: Int?

    public init(
        messages: [ChatMessage], maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
        stop: [String] = [], seed: Int? = nil
    ) {
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.stop = stop
        self.seed = seed
    }

    /// The system messages joined by blank lines (Anthropic and Gemini take them separately).
    package var systemText: String? {
        let parts = messages.filter { $0.role == .system }.map(\.content)
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }
}
