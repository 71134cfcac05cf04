import AssayCore
import Providers

/// The `spec` of an `EvaluationSuite`: one definition for the local runner and the CRD.
public struct EvaluationSuiteSpec: SpecDecodable, Hashable {
    /// Every case must pass unless the suite says otherwise. (Our choice: a gate is strict by default.)
    public static let defaultPassThreshold = 1.0
    /// In-flight cases per evaluator: enough to hide provider latency (~1 s) at a few dozen cases
    /// per second per pod, few enough to stay under common provider rate limits. (Issue 3/5.)
    public static let defaultConcurrency = 32
    /// Upper bound of `concurrency`. (Our choice.)
    public static let maxConcurrency = 1024
    /// Targets one suite may compare. (Our choice.)
    public static let maxTargets = 16
    /// The level of every interval in a run's verdict: 95%, the convention of the references we
    /// check against and of Miller 2024, "Adding Error Bars to Evals". (Issue 13's default.)
    public static let defaultConfidenceLevel = 0.95
    /// Upper bound of `repeats`: pass^N past a hundred repeats says nothing a hundred does not, and
    /// a run of 100 × its cases is already a large bill. (Our choice.)
    public static let maxRepeats = 100

    /// The models under test; empty for an offline suite, whose cases carry their outputs
    /// (``SuiteTargets``).
    public var targets: [TargetSpec]
    public var judge: JudgeSpec?
    public var dataset: DatasetSpec
    /// Criteria as the evaluation API takes them; the evaluator compiles them at run start (the
    /// operator, which cannot import the scorer, only checks their shape).
    public var criteria: [JSONValue]
    public var passThreshold: Double
    public var concurrency: Int
    public var evaluators: EvaluatorScalingSpec
    public var circuitBreaker: CircuitBreakerSpec
    /// The level of every pass-rate, mean-score and difference interval (`spec.confidenceLevel`).
    public var confidenceLevel: Double
    public var gate: GateSpec
    public var compare: CompareSpec
    /// A cluster run's baseline (`spec.baseline`); a local run takes `--baseline` instead.
    public var baseline: BaselineSpec?
    /// How many times every case is evaluated against every target (`spec.repeats`, 1 by default):
    /// each (case, repeat) is counted once, and the report adds pass^N and flaky cases.
    public var repeats: Int
    /// The run's spending limit (`spec.budget`); `nil` for none.
    public var budget: BudgetSpec?

    public init(
        targets: [TargetSpec], judge: JudgeSpec? = nil, dataset: DatasetSpec, criteria: [JSONValue],
        passThreshold: Double = defaultPassThreshold, concurrency: Int = defaultConcurrency,
        evaluators: EvaluatorScalingSpec = EvaluatorScalingSpec(),
        circuitBreaker: CircuitBreakerSpec = CircuitBreakerSpec(),
        confidenceLevel: Double = defaultConfidenceLevel, gate: GateSpec = GateSpec(),
        compare: CompareSpec = CompareSpec(), baseline: BaselineSpec? = nil, repeats: Int = 1,
        budget: BudgetSpec? = nil
    ) {
        self.targets = targets
        self.judge = judge
        self.dataset = dataset
        self.criteria = criteria
        self.passThreshold = passThreshold
        self.concurrency = concurrency
        self.evaluators = evaluators
        self.circuitBreaker = circuitBreaker
        self.confidenceLevel = confidenceLevel
        self.gate = gate
        self.compare = compare
        self.baseline = baseline
        self.repeats = repeats
        self.budget = budget
    }

    static let fieldNames: Set<String> = [
        "targets", "judge", "dataset", "criteria", "passThreshold", "concurrency", "evaluators", "circuitBreaker",
        "confidenceLevel", "gate", "compare", "baseline", "repeats", "budget",
    ]

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> EvaluationSuiteSpec {
        try decode(json, at: path, providers: .localFile)
    }

    /// Decodes a spec written by `providers`: a suite file (``ProviderOrigin/localFile``) or a
    /// cluster's resource (``ProviderOrigin/resource``: keys only from `apiKey` Secret references).
    public static func decode(_ json: JSONValue, at path: String, providers origin: ProviderOrigin)
        throws(FieldError) -> EvaluationSuiteSpec
    {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: fieldNames)
        let targetItems = try fields.array("targets") ?? []
        guard !targetItems.isEmpty || !fields.has("targets") else {
            throw FieldError(
                path: fields.path("targets"),
                message: "must list at least one target; leave it out to score the outputs the cases carry")
        }
        guard targetItems.count <= maxTargets else {
            throw FieldError(
                path: fields.path("targets"),
                message: "lists \(targetItems.count) targets; at most \(maxTargets) are allowed")
        }
        var targets: [TargetSpec] = []
        for (index, item) in targetItems.enumerated() {
            var errors: [FieldError] = []
            let decoded = TargetSpec.decode(
                item, at: FieldError.join(fields.path("targets"), index), named: true, providers: origin,
                errors: &errors)
            guard let target = decoded, errors.isEmpty else {
                throw errors.first
                    ?? FieldError(path: FieldError.join(fields.path("targets"), index), message: "is invalid")
            }
            if let first = targets.firstIndex(where: { $0.name == target.name }) {
                throw FieldError(
                    path: FieldError.join(FieldError.join(fields.path("targets"), index), "name"),
                    message: "\"\(target.name)\" is also the name of targets[\(first)]; names must be unique")
            }
            targets.append(target)
        }
        let judge = try fields.value("judge").map { (json) throws(FieldError) in
            try JudgeSpec.decode(json, at: fields.path("judge"), providers: origin)
        }
        guard let datasetJSON = fields.value("dataset") else {
            throw FieldError(path: fields.path("dataset"), message: "is required")
        }
        let dataset = try DatasetSpec.decode(datasetJSON, at: fields.path("dataset"))
        let criteria = try decodeCriteria(fields)
        if judge == nil,
            let index = criteria.firstIndex(where: { $0["type"]?.stringValue == "llmJudge" && $0["judge"] == nil })
        {
            throw FieldError(
                path: FieldError.join(fields.path("criteria"), index),
                message: "is an llmJudge criterion without a judge; add spec.judge or give the criterion a judge")
        }
        let threshold = try fields.number("passThreshold") ?? defaultPassThreshold
        guard (0...1).contains(threshold) else {
            throw FieldError(
                path: fields.path("passThreshold"),
                message: "must be a fraction of cases between 0 and 1, got \(threshold)")
        }
        let concurrency = try fields.integer("concurrency") ?? defaultConcurrency
        guard (1...maxConcurrency).contains(concurrency) else {
            throw FieldError(
                path: fields.path("concurrency"), message: "must be between 1 and \(maxConcurrency), got \(concurrency)"
            )
        }
        let evaluators = try fields.value("evaluators").map { (json) throws(FieldError) in
            try EvaluatorScalingSpec.decode(json, at: fields.path("evaluators"))
        }
        let breaker = try fields.value("circuitBreaker").map { (json) throws(FieldError) in
            try CircuitBreakerSpec.decode(json, at: fields.path("circuitBreaker"))
        }
        let level = try fields.number("confidenceLevel") ?? defaultConfidenceLevel
        guard level > 0, level < 1 else {
            throw FieldError(
                path: fields.path("confidenceLevel"), message: "must be between 0 and 1 (exclusive), got \(level)")
        }
        let gate = try fields.value("gate").map { (json) throws(FieldError) in
            try GateSpec.decode(json, at: fields.path("gate"))
        }
        let compare = try fields.value("compare").map { (json) throws(FieldError) in
            try CompareSpec.decode(json, at: fields.path("compare"))
        }
        if let reference = compare?.reference, !targets.isEmpty, !targets.contains(where: { $0.name == reference }) {
            throw FieldError(
                path: FieldError.join(fields.path("compare"), "reference"),
                message: "\"\(reference)\" is not a target; targets are \(targets.map(\.name).joined(separator: ", "))")
        }
        let repeats = try fields.integer("repeats") ?? 1
        guard (1...maxRepeats).contains(repeats) else {
            throw FieldError(
                path: fields.path("repeats"), message: "must be between 1 and \(maxRepeats), got \(repeats)")
        }
        let budget = try fields.value("budget").map { (json) throws(FieldError) in
            try BudgetSpec.decode(json, at: fields.path("budget"))
        }
        if budget?.maxCost != nil,
            !criteria.contains(where: { $0["type"]?.stringValue == "cost" && $0["prices"] != nil })
        {
            throw FieldError(
                path: FieldError.join(fields.path("budget"), "maxCost"),
                message: "needs prices: add a cost criterion with prices (per million tokens by model)")
        }
        return EvaluationSuiteSpec(
            targets: targets, judge: judge, dataset: dataset, criteria: criteria, passThreshold: threshold,
            concurrency: concurrency, evaluators: evaluators ?? EvaluatorScalingSpec(),
            circuitBreaker: breaker ?? CircuitBreakerSpec(), confidenceLevel: level, gate: gate ?? GateSpec(),
            compare: compare ?? CompareSpec(),
            baseline: try fields.value("baseline").map { (json) throws(FieldError) in
                try BaselineSpec.decode(json, at: fields.path("baseline"))
            }, repeats: repeats, budget: budget)
    }

    /// The structural part of criteria: a non-empty array of objects each with a string `type`.
    private static func decodeCriteria(_ fields: JSONFields) throws(FieldError) -> [JSONValue] {
        let items = try fields.required("criteria", fields.array)
        guard !items.isEmpty else {
            throw FieldError(path: fields.path("criteria"), message: "must contain at least one criterion")
        }
        for (index, item) in items.enumerated() {
            let criterion = try JSONFields(item, at: FieldError.join(fields.path("criteria"), index))
            let type = try criterion.required("type", criterion.string)
            if type.isEmpty { throw FieldError(path: criterion.path("type"), message: "must not be empty") }
        }
        return items
    }

    /// Whether the suite scores the outputs its cases carry instead of generating them.
    public var isOffline: Bool { targets.isEmpty }

    /// Each criterion's display name: its `name`, else its `type`, made unique with `#2`, `#3`.
    public var criterionNames: [String] {
        var names: [String] = []
        for criterion in criteria {
            let base = criterion["name"]?.stringValue ?? criterion["type"]?.stringValue ?? "criterion"
            var name = base
            var suffix = 2
            while names.contains(name) {
                name = "\(base)#\(suffix)"
                suffix += 1
            }
            names.append(name)
        }
        return names
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object(
            [
                ("targets", SpecSchema.array(TargetSpec.structuralSchema, minItems: 1)),
                ("judge", JudgeSpec.structuralSchema),
                ("dataset", DatasetSpec.structuralSchema),
                ("criteria", SpecSchema.array(SpecSchema.preserved, minItems: 1)),
                ("passThreshold", SpecSchema.number(minimum: 0, maximum: 1)),
                ("concurrency", SpecSchema.integer(minimum: 1)),
                ("evaluators", EvaluatorScalingSpec.structuralSchema),
                ("circuitBreaker", CircuitBreakerSpec.structuralSchema),
                ("confidenceLevel", SpecSchema.number(minimum: 0, maximum: 1)),
                ("gate", GateSpec.structuralSchema),
                ("compare", CompareSpec.structuralSchema),
                ("baseline", BaselineSpec.structuralSchema),
                ("repeats", SpecSchema.integer(minimum: 1, maximum: maxRepeats)),
                ("budget", BudgetSpec.structuralSchema),
            ], required: ["dataset", "criteria"])
    }
}
