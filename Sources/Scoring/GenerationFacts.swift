import Common

/// What the evaluator knows about an output it generated itself (a request with `target`): what
/// `latency` and `cost` criteria examine.
package struct GenerationFacts: Sendable, Equatable {
    package var provider: String
    package var model: String
    package var latencyMs: Double
    package var inputTokens: Int
    package var outputTokens: Int
}

extension GenerationFacts {
    package init(_ generation: Generation) {
        self.init(
            provider: generation.provider, model: generation.model, latencyMs: generation.latency.inMilliseconds,
            inputTokens: generation.usage.inputTokens, outputTokens: generation.usage.outputTokens)
    }
}
