/// Why generation stopped, normalised across providers.
public enum FinishReason: Sendable, Hashable, CustomStringConvertible {
    /// A natural end or a stop sequence.
    case stop
    /// The token limit was reached: the text is truncated.
    case length
    /// A safety or content filter stopped or withheld the answer.
    case contentFilter
    /// The model asked to call a tool.
    case toolCall
    /// Anything else, with the provider's own value.
    case other(String)

    public var description: String {
        switch self {
        case .stop: "stop"
        case .length: "length"
        case .contentFilter: "content_filter"
        case .toolCall: "tool_call"
        case .other(let raw): raw
        }
    }
}

public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }
}

/// A provider-neutral chat completion.
public struct ChatResponse: Sendable, Hashable {
    public var text: String
    /// The model the provider reports having used (may differ from the requested alias).
    public var model: String
    public var finishReason: FinishReason
    public var usage: TokenUsage

    public init(text: String, model: String, finishReason: FinishReason, usage: TokenUsage) {
        self.text = text
        self.model = model
        self.finishReason = finishReason
        self.usage = usage
    }
}
