import AssayCore
import Scoring

/// Prices a run's results for its budget and reports: the `prices` of the suite's `cost`
/// criteria (the same table the criterion uses), looked up by the model of the target's provider
/// that answered, then by the provider's name.
public struct RunPricing: Sendable {
    private let criteria: [CostCriterion]
    /// Per target, its providers' models by provider name.
    private let models: [String: [String: String]]

    public init(_ spec: EvaluationSuiteSpec) {
        criteria = spec.criteria.compactMap { criterion in
            guard criterion["type"]?.stringValue == "cost", criterion["prices"] != nil,
                let fields = try? JSONFields(criterion, at: "")
            else { return nil }
            return try? CostCriterion(fields)
        }
        var models: [String: [String: String]] = [:]
        for target in spec.targets {
            for provider in target.providers {
                models[target.name, default: [:]][provider.config.name] = provider.config.model
            }
        }
        self.models = models
    }

    /// Whether any `cost` criterion gives prices.
    public var hasPrices: Bool { !criteria.isEmpty }

    /// `result` with each generated target's `cost` set where a price is known.
    public func priced(_ result: CaseResult) -> CaseResult {
        guard hasPrices else { return result }
        var result = result
        for index in result.targets.indices {
            let target = result.targets[index]
            guard let provider = target.provider else { continue }
            let facts = GenerationFacts(
                provider: provider, model: models[target.target]?[provider] ?? provider, latencyMs: target.latencyMs,
                inputTokens: target.inputTokens, outputTokens: target.outputTokens)
            result.targets[index].cost = criteria.lazy.compactMap { $0.cost(of: facts) }.first
        }
        return result
    }
}
