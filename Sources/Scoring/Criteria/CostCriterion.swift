import AssayCore

/// `cost`: the generation used at most `maxTokens` tokens (input plus output) and, with a price
/// table, cost at most `maxCost`. Only for requests with a `target`.
///
/// ```json
/// {"type": "cost", "maxTokens": 2000, "maxCost": 0.002,
///  "prices": {"gpt-4o-mini": {"inputPerMillion": 0.15, "outputPerMillion": 0.6}}}
/// ```
///
/// Prices are per million tokens, looked up by the model the provider reported, then by the
/// provider's name; the currency is whatever the table uses.
package struct CostCriterion: Sendable {
    package struct Price: Sendable, Equatable {
        var inputPerMillion: Double
        var outputPerMillion: Double
    }

    package static let fields: Set<String> = ["maxTokens", "maxCost", "prices"]

    package var maxTokens: Int?
    package var maxCost: Double?
    package var prices: [String: Price]

    package init(_ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(Self.fields))
        maxTokens = try fields.integer("maxTokens")
        if let maxTokens, maxTokens < 1 {
            throw FieldError(path: fields.path("maxTokens"), message: "must be at least 1, got \(maxTokens)")
        }
        maxCost = try fields.number("maxCost")
        if let maxCost, maxCost < 0 {
            throw FieldError(path: fields.path("maxCost"), message: "must not be negative, got \(maxCost)")
        }
        prices = [:]
        if let table = try fields.objectFields("prices") {
            guard case .object(let object)? = fields.value("prices") else { return }
            for (model, _) in object {
                let entry = try table.required(model, table.objectFields)
                try entry.rejectUnknown(allowed: ["inputPerMillion", "outputPerMillion"])
                let input = try entry.required("inputPerMillion", entry.number)
                let output = try entry.required("outputPerMillion", entry.number)
                guard input >= 0, output >= 0 else {
                    throw FieldError(path: entry.path, message: "prices must not be negative")
                }
                prices[model] = Price(inputPerMillion: input, outputPerMillion: output)
            }
        }
        guard maxTokens != nil || maxCost != nil else {
            throw FieldError(path: fields.path("maxTokens"), message: "give maxTokens, maxCost, or both")
        }
        if maxCost != nil, prices.isEmpty {
            throw FieldError(
                path: fields.path("prices"), message: "is required with maxCost (price per million tokens by model)")
        }
    }

    /// What `generation` cost by ``prices`` (its model's, else its provider's); `nil` without a price.
    package func cost(of generation: GenerationFacts) -> Double? {
        guard let price = prices[generation.model] ?? prices[generation.provider] else { return nil }
        return
            (Double(generation.inputTokens) * price.inputPerMillion
            + Double(generation.outputTokens) * price.outputPerMillion) / 1_000_000
    }

    package func evaluate(_ generation: GenerationFacts?) -> Verdict {
        guard let generation else {
            return .fail("no generation to cost: cost needs a target instead of output")
        }
        let tokens = generation.inputTokens + generation.outputTokens
        var reasons: [String] = []
        var passed = true
        if let maxTokens {
            passed = passed && tokens <= maxTokens
            reasons.append(
                "used \(tokens) tokens (\(generation.inputTokens) in, \(generation.outputTokens) out), "
                    + "\(tokens <= maxTokens ? "within" : "over") the limit of \(maxTokens)")
        }
        if let maxCost {
            guard let cost = cost(of: generation) else {
                let known = prices.keys.sorted().joined(separator: ", ")
                return .fail(
                    "no price for model \(Quoting.quote(generation.model)) or provider "
                        + "\(Quoting.quote(generation.provider)) in prices (has: \(known))")
            }
            passed = passed && cost <= maxCost
            reasons.append("cost \(cost), \(cost <= maxCost ? "within" : "over") the limit of \(maxCost)")
        }
        return .check(passed, reasons.joined(separator: "; "))
    }
}
