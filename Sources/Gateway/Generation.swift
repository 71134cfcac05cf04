import AssayCore
import Providers

/// An output a fallback chain produced: the text, who answered, and every attempt on the way.
public struct Generation: Sendable, Equatable {
    public var output: String
    /// The `name` of the provider that answered.
    public var provider: String
    /// The model the provider reports having used.
    public var model: String
    public var finishReason: String
    /// From the start of the chain to the answer, retries and skips included.
    public var latency: Duration
    public var usage: TokenUsage
    /// In order; the last one is the answer.
    public var attempts: [GenerationAttempt]

    public init(
        output: String, provider: String, model: String, finishReason: String, latency: Duration, usage: TokenUsage,
        attempts: [GenerationAttempt]
    ) {
        self.output = output
        self.provider = provider
        self.model = model
        self.finishReason = finishReason
        self.latency = latency
        self.usage = usage
        self.attempts = attempts
    }

    /// The `generation` member of an evaluation response.
    public var json: JSONValue {
        [
            "output": .string(output),
            "provider": .string(provider),
            "model": .string(model),
            "latencyMs": .number(latency.inMilliseconds),
            "usage": [
                "inputTokens": .number(Double(usage.inputTokens)),
                "outputTokens": .number(Double(usage.outputTokens)),
            ],
            "attempts": .array(attempts.map(\.json)),
        ]
    }
}

/// Every provider of a chain failed or was skipped; `attempts` says how, in order.
public struct GenerationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var attempts: [GenerationAttempt]
    public var latency: Duration

    public init(attempts: [GenerationAttempt], latency: Duration) {
        self.attempts = attempts
        self.latency = latency
    }

    /// Whether the caller cancelled the generation (no answer is owed to anyone).
    public var wasCancelled: Bool { attempts.last?.outcome == .cancelled }

    public var description: String {
        guard !attempts.isEmpty else { return "no provider was configured" }
        let steps = attempts.map { attempt in
            "\(attempt.provider): \(attempt.outcome.rawValue)\(attempt.detail.isEmpty ? "" : " (\(attempt.detail))")"
        }
        return "every provider failed: " + steps.joined(separator: "; ")
    }
}
