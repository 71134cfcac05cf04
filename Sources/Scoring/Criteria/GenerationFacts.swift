/// What the evaluator knows about an output it generated itself (a request with `target`): what
/// `latency` and `cost` criteria examine.
package struct GenerationFacts: Sendable, Equatable {
    package var provider: String
    package var model: String
    package var latencyMs: Double
    package var inputTokens: Int
    package var outputTokens: Int

    package init(provider: String, model: String, latencyMs: Double, inputTokens: Int, outputTokens: Int) {
        self.provider = provider
        self.model = model
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
