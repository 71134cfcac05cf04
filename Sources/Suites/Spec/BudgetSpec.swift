import AssayCore

/// A run's spending limit (`spec.budget`): tokens (input plus output, every target) and cost
/// (priced with the `prices` of the suite's `cost` criteria). Counted in Redis across every
/// evaluator; once spent, no new case starts and the run ends Failed with `BudgetExceeded`.
public struct BudgetSpec: SpecDecodable, Hashable {
    public var maxTokens: Int?
    public var maxCost: Double?

    public init(maxTokens: Int? = nil, maxCost: Double? = nil) {
        self.maxTokens = maxTokens
        self.maxCost = maxCost
    }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> BudgetSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["maxTokens", "maxCost"])
        let spec = BudgetSpec(maxTokens: try fields.integer("maxTokens"), maxCost: try fields.number("maxCost"))
        if let tokens = spec.maxTokens, tokens < 1 {
            throw FieldError(path: fields.path("maxTokens"), message: "must be at least 1, got \(tokens)")
        }
        if let cost = spec.maxCost, !(cost > 0) {
            throw FieldError(path: fields.path("maxCost"), message: "must be more than 0, got \(cost)")
        }
        guard spec.maxTokens != nil || spec.maxCost != nil else {
            throw FieldError(path: path, message: "give maxTokens, maxCost, or both")
        }
        return spec
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object([
            ("maxTokens", SpecSchema.integer(minimum: 1)), ("maxCost", SpecSchema.number(minimum: 0)),
        ])
    }
}
