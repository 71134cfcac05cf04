import AssayCore
import AssayResilience
import Suites

/// The `status` of an `EvaluationSuite`: what the operator and the evaluators report back. One
/// Swift definition yields both the JSON the operator writes and the CRD's status schema.
struct SuiteStatus: Sendable, Hashable {
    /// See ``SuiteProgress/maxFailingCases``.
    static let maxFailingCases = SuiteProgress.maxFailingCases

    var phase: SuitePhase = .pending
    var observedGeneration: Int?
    /// Counts, summaries, breakers and failing cases of the current run.
    var run = SuiteProgress()
    /// Comparisons and error reasons of the finished run (empty while it runs).
    var verdict = VerdictStatus()
    /// RFC 3339 times, as the API server writes them.
    var startTime: String?
    var completionTime: String?
    var conditions: [Condition] = []
    var resultsURL: String?
    /// The run this status describes (`<uid>-g<generation>`), to read its results.
    var runID: String?

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("phase", .string(phase.rawValue))]
        if let observedGeneration { members.append(("observedGeneration", .number(Double(observedGeneration)))) }
        members += run.members
        members += verdict.members
        if let startTime { members.append(("startTime", .string(startTime))) }
        if let completionTime { members.append(("completionTime", .string(completionTime))) }
        if !conditions.isEmpty { members.append(("conditions", .array(conditions.map(\.json)))) }
        if let runID { members.append(("runID", .string(runID))) }
        if let resultsURL { members.append(("resultsURL", .string(resultsURL))) }
        return .object(JSONObject(members))
    }

    init() {}

    /// Reads the status as found on the resource; members it does not know are dropped.
    init(json: JSONValue?) {
        phase =
            json?["phase"]?.stringValue.flatMap(SuitePhase.init(rawValue:))
            .flatMap { SuitePhase.resourcePhases.contains($0) ? $0 : nil } ?? .pending
        observedGeneration = json?["observedGeneration"]?.doubleValue.map { Int($0) }
        run = SuiteProgress(status: json)
        verdict = VerdictStatus(status: json)
        startTime = json?["startTime"]?.stringValue
        completionTime = json?["completionTime"]?.stringValue
        conditions = (json?["conditions"]?.arrayValue ?? []).compactMap(Condition.init(json:))
        runID = json?["runID"]?.stringValue
        resultsURL = json?["resultsURL"]?.stringValue
    }

    /// Every member name ``json`` may write, so a merge patch can clear the ones now absent.
    static let memberNames =
        ["phase", "observedGeneration"] + SuiteProgress.memberNames + VerdictStatus.memberNames + [
            "startTime", "completionTime", "conditions", "runID", "resultsURL",
        ]

    /// A merge patch that makes the resource's status exactly this one.
    var mergePatch: JSONValue {
        var object = JSONObject()
        for name in Self.memberNames { object[name] = .null }
        for (name, value) in json.objectValue ?? JSONObject() { object[name] = value }
        return ["status": .object(object)]
    }

    static var structuralSchema: JSONValue {
        let count = SpecSchema.integer(minimum: 0)
        let rate = SpecSchema.number(minimum: 0, maximum: 1)
        let interval = { (bound: JSONValue) in
            SpecSchema.object([
                ("low", bound), ("high", bound), ("level", rate), ("method", SpecSchema.string()),
            ])
        }
        let counts: [(String, JSONValue)] = [
            ("name", SpecSchema.string()), ("passed", count), ("failed", count), ("passRate", rate),
        ]
        let summary = SpecSchema.object(
            counts + [
                (
                    "passRateInterval",
                    described(interval(rate), "Wilson score interval of passRate at spec.confidenceLevel.")
                )
            ], required: ["name", "passed", "failed"])
        let target = SpecSchema.object(
            counts + [
                (
                    "passRateInterval",
                    described(
                        interval(rate),
                        "Interval of passRate at spec.confidenceLevel: Wilson's (method wilson), or when the "
                            + "dataset names a cluster or spec.repeats > 1 the normal interval cluster-robust by "
                            + "dataset cluster, else by case (method cluster-robust).")
                ),
                ("meanScore", described(SpecSchema.number(), "Mean of the target's scores.")),
                (
                    "meanScoreInterval",
                    described(
                        interval(SpecSchema.number()),
                        "Normal interval of meanScore at spec.confidenceLevel (method normal), cluster-robust by "
                            + "dataset cluster, else by case, when the dataset names a cluster or spec.repeats > 1 "
                            + "(method cluster-robust).")
                ),
            ], required: ["name", "passed", "failed"])
        return SpecSchema.object(
            [
                ("phase", enumeration(SuitePhase.resourcePhases.map(\.rawValue))),
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
                ("targets", SpecSchema.array(target)),
                (
                    "breakers",
                    SpecSchema.array(
                        SpecSchema.object(
                            [
                                ("target", SpecSchema.string()), ("provider", SpecSchema.string()),
                                ("state", enumeration(CircuitState.Kind.allCases.map(\.rawValue))),
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
            ] + VerdictStatus.structuralSchema + [
                ("startTime", dateTime),
                ("completionTime", dateTime),
                ("conditions", Condition.listSchema),
                ("runID", described(SpecSchema.string(), "The run in Redis: <uid>-g<generation>.")),
                ("resultsURL", described(SpecSchema.string(), "Where the run's full results are served.")),
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
