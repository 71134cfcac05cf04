import Common

/// What the evaluator knows about an output it generated itself (a request with `target`): what
/// `latency` and `cost` criteria examine.
struct GenerationFacts: Sendable, Equatable {
    var provider: String
    var model: String
    var latencyMs: Double
    var inputTokens: Int
    var outputTokens: Int
}

extension GenerationFacts {
    init(_ generation: Generation) {
        self.init(
            provider: generation.provider, model: generation.model, latencyMs: generation.latency.inMilliseconds,
            inputTokens: generation.usage.inputTokens, outputTokens: generation.usage.outputTokens)
    }
}
