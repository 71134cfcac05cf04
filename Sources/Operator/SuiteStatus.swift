import Common

/// The `status` of an `EvaluationSuite`: what the operator and the evaluators report back. One
/// Swift definition yields both the JSON the operator writes and the CRD's status schema.
struct SuiteStatus: Sendable, Hashable {
    /// The most failing cases the status lists; the full list is behind `resultsURL`. Twenty keeps
    /// the object far below etcd's 1.5 MiB limit even with long case ids. (Our choice.)
    static let maxFailingCases = 20

    struct Progress: Sendable, Hashable {
        var total = 0
        var completed = 0
        var passed = 0
        var failed = 0
        var errored = 0

        /// `completed/total`, the Progress printer column.
        var summary: String { "\(completed)/\(total)" }
    }

    /// Pass counts of one criterion or one target.
    struct Summary: Sendable, Hashable {
        var name: String
        var passed: Int
        var failed: Int
        var passRate: Double?
    }

    struct BreakerState: Sendable, Hashable {
        var target: String
        var provider: String
        /// `closed`, `open` or `halfOpen`.
        var state: String
    }

    struct FailingCase: Sendable, Hashable {
        var id: String
        var target: String
        var reason: String
    }

    var phase: SuitePhase = .pending
    var observedGeneration: Int?
    var progress = Progress()
    var passRate: Double?
    var criteria: [Summary] = []
    var targets: [Summary] = []
    var breakers: [BreakerState] = []
    var failingCases: [FailingCase] = []
    /// RFC 3339 times, as the API server writes them.
    var startTime: String?
    var completionTime: String?
    var conditions: [Condition] = []
    var resultsURL: String?

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("phase", .string(phase.rawValue))]
        if let observedGeneration { members.append(("observedGeneration", .number(Double(observedGeneration)))) }
        members.append(
            (
                "progress",
                [
                    "total": .number(Double(progress.total)), "completed": .number(Double(progress.completed)),
                    "passed": .number(Double(progress.passed)), "failed": .number(Double(progress.failed)),
                    "errored": .number(Double(progress.errored)), "summary": .string(progress.summary),
                ]
            ))
        if let passRate { members.append(("passRate", .number(passRate))) }
        if !criteria.isEmpty { members.append(("criteria", .array(criteria.map(\.json)))) }
        if !targets.isEmpty { members.append(("targets", .array(targets.map(\.json)))) }
        if !breakers.isEmpty {
            members.append(
                (
                    "breakers",
                    .array(
                        breakers.map {
                            [
                                "target": .string($0.target), "provider": .string($0.provider),
                                "state": .string($0.state),
                            ]
                        })
                ))
        }
        if !failingCases.isEmpty {
            members.append(
                (
                    "failingCases",
                    .array(
                        failingCases.prefix(Self.maxFailingCases).map {
                            ["id": .string($0.id), "target": .string($0.target), "reason": .string($0.reason)]
                        })
                ))
        }
        if let startTime { members.append(("startTime", .string(startTime))) }
        if let completionTime { members.append(("completionTime", .string(completionTime))) }
        if !conditions.isEmpty { members.append(("conditions", .array(conditions.map(\.json)))) }
        if let resultsURL { members.append(("resultsURL", .string(resultsURL))) }
        return .object(JSONObject(members))
    }

    static var structuralSchema: JSONValue {
        let count = SpecSchema.integer(minimum: 0)
        let rate = SpecSchema.number(minimum: 0, maximum: 1)
        let summary = SpecSchema.object(
            [("name", SpecSchema.string()), ("passed", count), ("failed", count), ("passRate", rate)],
            required: ["name", "passed", "failed"])
        return SpecSchema.object(
            [
                ("phase", enumeration(SuitePhase.allCases.map(\.rawValue))),
                ("observedGeneration", SpecSchema.integer(minimum: 0)),
                (
                    "progress",
                    SpecSchema.object(
                        [
                            ("total", count), ("completed", count), ("passed", count), ("failed", count),
                            ("errored", count),
                            ("summary", described(SpecSchema.string(), "completed/total, e.g. 12/40.")),
                        ])
                ),
                ("passRate", described(rate, "Passed cases over completed cases.")),
                ("criteria", SpecSchema.array(summary)),
                ("targets", SpecSchema.array(summary)),
                (
                    "breakers",
                    SpecSchema.array(
                        SpecSchema.object(
                            [
                                ("target", SpecSchema.string()), ("provider", SpecSchema.string()),
                                ("state", enumeration(["closed", "open", "halfOpen"])),
                            ], required: ["provider", "state"]))
                ),
                (
                    "failingCases",
                    maxItems(
                        SpecSchema.array(
                            SpecSchema.object(
                                [
                                    ("id", SpecSchema.string()), ("target", SpecSchema.string()),
                                    ("reason", SpecSchema.string()),
                                ],
                                required: ["id"])),
                        maxFailingCases)
                ),
                ("startTime", dateTime),
                ("completionTime", dateTime),
                ("conditions", Condition.listSchema),
                ("resultsURL", SpecSchema.string()),
            ], description: "Observed state, written by the operator and the evaluators.")
    }

    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    static func enumeration(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }

    static func described(_ schema: JSONValue, _ text: String) -> JSONValue {
        adding("description", .string(text), to: schema)
    }

    static func maxItems(_ schema: JSONValue, _ count: Int) -> JSONValue {
        adding("maxItems", .number(Double(count)), to: schema)
    }

    static func adding(_ key: String, _ value: JSONValue, to schema: JSONValue) -> JSONValue {
        guard var object = schema.objectValue else { return schema }
        object[key] = value
        return .object(object)
    }
}

extension SuiteStatus.Summary {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("passed", .number(Double(passed))), ("failed", .number(Double(failed))),
        ]
        if let passRate { members.append(("passRate", .number(passRate))) }
        return .object(JSONObject(members))
    }
}
