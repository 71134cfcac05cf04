import AssayCore

/// The part of a finished run's verdict the resource's status carries beside its counts:
/// `status.comparisons` (each paired comparison with its one-line summary) and
/// `status.errorReasons` (each target's most frequent error reasons). The operator writes it once
/// a run is complete, from every case's result; the evaluators' progress writes never touch it.
public struct VerdictStatus: Sendable, Hashable {
    public struct Comparison: Sendable, Hashable {
        public var a: String
        public var b: String
        /// passRate(a) - passRate(b).
        public var difference: Double
        public var low: Double
        public var high: Double
        public var pValue: Double
        public var cases: Int
        /// "large vs small: +12.0 pp [4.1, 19.9], p = 0.003".
        public var summary: String

        public init(
            a: String, b: String, difference: Double, low: Double, high: Double, pValue: Double, cases: Int,
            summary: String
        ) {
            self.a = a
            self.b = b
            self.difference = difference
            self.low = low
            self.high = high
            self.pValue = pValue
            self.cases = cases
            self.summary = summary
        }
    }

    public struct ErrorReason: Sendable, Hashable {
        public var target: String
        public var reason: String
        public var count: Int

        public init(target: String, reason: String, count: Int) {
            self.target = target
            self.reason = reason
            self.count = count
        }
    }

    public var comparisons: [Comparison] = []
    public var errorReasons: [ErrorReason] = []
    /// The run against `spec.baseline`; nil without one.
    public var baseline: Baseline?

    public init() {}

    package init(_ analysis: RunAnalysis) {
        comparisons = analysis.comparisons.map {
            Comparison(
                a: $0.a, b: $0.b, difference: $0.result.difference, low: $0.result.interval.low,
                high: $0.result.interval.high, pValue: $0.result.pValue, cases: $0.result.cases,
                summary: VerdictText.comparison($0))
        }
        errorReasons = analysis.targets.flatMap { target in
            target.errorReasons.map { ErrorReason(target: target.name, reason: $0.reason, count: $0.count) }
        }
    }

    /// The status members, in the order the CRD lists them; empty lists are left out.
    public var members: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if !comparisons.isEmpty {
            members.append(
                (
                    "comparisons",
                    .array(
                        comparisons.map {
                            .object(
                                JSONObject([
                                    ("a", .string($0.a)), ("b", .string($0.b)), ("difference", .number($0.difference)),
                                    ("interval", ["low": .number($0.low), "high": .number($0.high)]),
                                    ("pValue", .number($0.pValue)), ("test", "mcnemar-exact"),
                                    ("cases", .number(Double($0.cases))), ("summary", .string($0.summary)),
                                ]))
                        })
                ))
        }
        if !errorReasons.isEmpty {
            members.append(
                (
                    "errorReasons",
                    .array(
                        errorReasons.map {
                            [
                                "target": .string($0.target), "reason": .string($0.reason),
                                "count": .number(Double($0.count)),
                            ]
                        })
                ))
        }
        if let baseline { members.append(("baseline", baseline.json)) }
        return members
    }

    public static let memberNames = ["comparisons", "errorReasons", "baseline"]

    /// Reads the members back from a status object.
    public init(status: JSONValue?) {
        comparisons = (status?["comparisons"]?.arrayValue ?? []).compactMap { item in
            guard let a = item["a"]?.stringValue, let b = item["b"]?.stringValue else { return nil }
            return Comparison(
                a: a, b: b, difference: item["difference"]?.doubleValue ?? 0,
                low: item["interval"]?["low"]?.doubleValue ?? 0, high: item["interval"]?["high"]?.doubleValue ?? 0,
                pValue: item["pValue"]?.doubleValue ?? 1, cases: Int(item["cases"]?.doubleValue ?? 0),
                summary: item["summary"]?.stringValue ?? "")
        }
        errorReasons = (status?["errorReasons"]?.arrayValue ?? []).compactMap { item in
            guard let target = item["target"]?.stringValue, let reason = item["reason"]?.stringValue else {
                return nil
            }
            return ErrorReason(target: target, reason: reason, count: Int(item["count"]?.doubleValue ?? 0))
        }
        baseline = status?["baseline"].flatMap(Baseline.init(json:))
    }

    public static var structuralSchema: [(String, JSONValue)] {
        let number = SpecSchema.number()
        let count = SpecSchema.integer(minimum: 0)
        return [
            (
                "comparisons",
                SpecSchema.array(
                    SpecSchema.object(
                        [
                            ("a", SpecSchema.string()), ("b", SpecSchema.string()), ("difference", number),
                            ("interval", SpecSchema.object([("low", number), ("high", number)])),
                            ("pValue", number), ("test", SpecSchema.string()), ("cases", count),
                            ("summary", SpecSchema.string()),
                        ], required: ["a", "b"],
                        description:
                            "Paired comparison of two targets: passRate(a) - passRate(b), McNemar exact (with repeats, the paired test over per-case pass fractions)."
                    )
                )
            ),
            (
                "errorReasons",
                SpecSchema.array(
                    SpecSchema.object(
                        [("target", SpecSchema.string()), ("reason", SpecSchema.string()), ("count", count)],
                        required: ["target", "reason"],
                        description: "A target's most frequent error reasons (top 5), most frequent first."))
            ),
            ("baseline", Baseline.structuralSchema),
        ]
    }
}
