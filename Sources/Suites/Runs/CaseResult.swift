import AssayCore

/// One criterion's verdict on one target's output, as stored with a case result.
public struct CriterionScore: Sendable, Hashable {
    public var name: String
    public var type: String
    public var passed: Bool
    public var score: Double
    public var reason: String

    public init(name: String, type: String, passed: Bool, score: Double, reason: String) {
        self.name = name
        self.type = type
        self.passed = passed
        self.score = score
        self.reason = reason
    }
}

/// One target's part of a case result: its output and how it scored.
public struct TargetResult: Sendable, Hashable {
    public var target: String
    public var output: String
    /// The provider that answered (its `name`); `nil` when the case gave its output.
    public var provider: String?
    public var latencyMs: Double
    public var inputTokens: Int
    public var outputTokens: Int
    public var passed: Bool
    public var score: Double
    /// One per suite criterion, in the suite's order; empty when generation failed.
    public var criteria: [CriterionScore]
    /// Why no output could be produced (every provider failed); such a target fails the case.
    public var error: String?
    /// What the generation cost by the suite's `prices` (``RunPricing``); `nil` without a price.
    public var cost: Double?

    public init(
        target: String, output: String, provider: String? = nil, latencyMs: Double = 0, inputTokens: Int = 0,
        outputTokens: Int = 0, passed: Bool, score: Double, criteria: [CriterionScore], error: String? = nil,
        cost: Double? = nil
    ) {
        self.target = target
        self.output = output
        self.provider = provider
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.passed = passed
        self.score = score
        self.criteria = criteria
        self.error = error
        self.cost = cost
    }
}

/// The result of one case: every target's output and scores. Recorded exactly once per case.
public struct CaseResult: Sendable, Hashable {
    public var caseID: String
    public var targets: [TargetResult]
    /// The evaluator that recorded it (diagnostics only).
    public var consumer: String
    /// Which of the run's `repeats` this result is, from 1 (`spec.repeats`).
    public var `repeat`: Int

    public init(caseID: String, targets: [TargetResult], consumer: String, repeat: Int = 1) {
        self.caseID = caseID
        self.targets = targets
        self.consumer = consumer
        self.repeat = `repeat`
    }

    /// What the run counts once: the case id, with `:<repeat>` after the first repeat (a case id
    /// never contains ':').
    public var recordKey: String { Self.recordKey(caseID, repeat: `repeat`) }

    public static func recordKey(_ caseID: String, repeat: Int) -> String {
        `repeat` <= 1 ? caseID : "\(caseID):\(`repeat`)"
    }

    /// How reports name this result: the case id, and in a run with repeats which repeat it is, so
    /// that the N rows (JUnit test cases, HTML rows) of one case can be told apart.
    public func label(inRunWithRepeats repeated: Bool) -> String {
        repeated ? "\(caseID) (repeat \(`repeat`))" : caseID
    }

    /// Whether every target passed.
    public var passed: Bool { targets.allSatisfy(\.passed) }

    /// The result as stored; `repeat` only after the first repeat, so a run without repeats reads
    /// as before.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("id", .string(caseID))]
        if `repeat` > 1 { members.append(("repeat", .number(Double(`repeat`)))) }
        members += [
            ("passed", .bool(passed)), ("consumer", .string(consumer)), ("targets", .array(targets.map(\.json))),
        ]
        return .object(JSONObject(members))
    }

    public static func decode(_ json: JSONValue) throws(FieldError) -> CaseResult {
        let fields = try JSONFields(json, at: "")
        var targets: [TargetResult] = []
        for (index, item) in try fields.required("targets", fields.array).enumerated() {
            targets.append(try TargetResult.decode(item, at: FieldError.join("targets", index)))
        }
        return CaseResult(
            caseID: try fields.required("id", fields.string), targets: targets,
            consumer: try fields.string("consumer") ?? "", repeat: try fields.integer("repeat") ?? 1)
    }
}

extension TargetResult {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("target", .string(target)), ("output", .string(output)),
            ("provider", provider.map(JSONValue.string) ?? .null), ("latencyMs", .number(latencyMs)),
            ("tokens", ["input": .number(Double(inputTokens)), "output": .number(Double(outputTokens))]),
            ("passed", .bool(passed)), ("score", .number(score)), ("criteria", .array(criteria.map(\.json))),
        ]
        if let error { members.append(("error", .string(error))) }
        if let cost { members.append(("cost", .number(cost))) }
        return .object(JSONObject(members))
    }

    static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> TargetResult {
        let fields = try JSONFields(json, at: path)
        let tokens = try fields.objectFields("tokens")
        var criteria: [CriterionScore] = []
        for (index, item) in (try fields.array("criteria") ?? []).enumerated() {
            let criterion = try JSONFields(item, at: FieldError.join(fields.path("criteria"), index))
            criteria.append(
                CriterionScore(
                    name: try criterion.required("criterion", criterion.string),
                    type: try criterion.string("type") ?? "", passed: try criterion.required("passed", criterion.bool),
                    score: try criterion.required("score", criterion.number),
                    reason: try criterion.string("reason") ?? ""))
        }
        return TargetResult(
            target: try fields.required("target", fields.string), output: try fields.string("output") ?? "",
            provider: try fields.string("provider"), latencyMs: try fields.number("latencyMs") ?? 0,
            inputTokens: try tokens?.integer("input") ?? 0, outputTokens: try tokens?.integer("output") ?? 0,
            passed: try fields.required("passed", fields.bool), score: try fields.required("score", fields.number),
            criteria: criteria, error: try fields.string("error"), cost: try fields.number("cost"))
    }
}

extension CriterionScore {
    public var json: JSONValue {
        [
            "criterion": .string(name), "type": .string(type), "passed": .bool(passed), "score": .number(score),
            "reason": .string(reason),
        ]
    }
}
