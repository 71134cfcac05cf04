import Gateway
import Scoring

extension GenerationFacts {
    package init(_ generation: Generation) {
        self.init(
            provider: generation.provider, model: generation.model, latencyMs: generation.latency.inMilliseconds,
            inputTokens: generation.usage.inputTokens, outputTokens: generation.usage.outputTokens)
    }
}
