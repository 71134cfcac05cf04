import AssayCore
import AssayResilience
import Scoring

/// The part of an `EvaluationSuite`'s status that describes its run, computed from the run's
/// ``RunAggregates``: counts, pass rates per criterion and per target, provider breaker states and
/// the first failing cases. The evaluators write it onto the resource while a run goes on; the
/// operator writes it with the phase and conditions. One type keeps both writers' JSON the same.
public struct SuiteProgress: Sendable, Hashable {
    /// The most failing cases the status lists; the full list is behind `resultsURL`. Twenty keeps
    /// the object far below etcd's 1.5 MiB limit even with long case ids. (Our choice.)
    public static let maxFailingCases = 20

    public struct Counts: Sendable, Hashable {
        public var total = 0
        public var completed = 0
        public var passed = 0
        public var failed = 0
        public var errored = 0

        public init(total: Int = 0, completed: Int = 0, passed: Int = 0, failed: Int = 0, errored: Int = 0) {
            self.total = total
            self.completed = completed
            self.passed = passed
            self.failed = failed
            self.errored = errored
        }

        /// `completed/total`, the Progress printer column.
        public var summary: String { "\(completed)/\(total)" }
    }

    /// An interval as the status carries it: a pass rate's (Wilson's, or with repeats the
    /// cluster-robust normal interval by case) or a mean score's.
    public struct Interval: Sendable, Hashable {
        public var low: Double
        public var high: Double
        public var level: Double
        /// `wilson`, `normal` or `cluster-robust`.
        public var method: String

        public init(low: Double, high: Double, level: Double, method: String = "wilson") {
            self.low = low
            self.high = high
            self.level = level
            self.method = method
        }

        init?(_ interval: (any ConfidenceInterval)?) {
            guard let interval else { return nil }
            self.init(low: interval.low, high: interval.high, level: interval.level, method: interval.methodName)
        }

        /// Wilson's interval for `passed` of `passed + failed` at `level`; nil with no cases.
        init?(passed: Int, failed: Int, level: Double) {
            self.init(try? ProportionInterval.wilson(successes: passed, trials: passed + failed, level: level))
        }

        public var json: JSONValue {
            .object(
                JSONObject([
                    ("low", .number(low)), ("high", .number(high)), ("level", .number(level)),
                    ("method", .string(method)),
                ]))
        }

        init?(json: JSONValue?) {
            guard let low = json?["low"]?.doubleValue, let high = json?["high"]?.doubleValue,
                let level = json?["level"]?.doubleValue
            else { return nil }
            self.init(
                low: low, high: high, level: level,
                method: json?["method"]?.stringValue ?? ProportionInterval.Method.wilson.rawValue)
        }
    }

    /// Pass counts of one criterion or one target, with the pass rate's interval.
    public struct Summary: Sendable, Hashable {
        public var name: String
        public var passed: Int
        public var failed: Int
        public var passRate: Double?
        public var passRateInterval: Interval?
        /// A target's mean score and its normal interval (cluster-robust by dataset cluster or case with repeats or clusters);
        /// criteria carry none.
        public var meanScore: Double?
        public var meanScoreInterval: Interval?

        public init(
            name: String, passed: Int, failed: Int, passRate: Double?, passRateInterval: Interval? = nil,
            meanScore: Double? = nil, meanScoreInterval: Interval? = nil
        ) {
            self.name = name
            self.passed = passed
            self.failed = failed
            self.passRate = passRate
            self.passRateInterval = passRateInterval
            self.meanScore = meanScore
            self.meanScoreInterval = meanScoreInterval
        }
    }

    /// One provider's circuit as one evaluator sees it.
    public struct Breaker: Sendable, Hashable {
        public var target: String
        public var provider: String
        public var state: CircuitState.Kind

        public init(target: String, provider: String, state: CircuitState.Kind) {
            self.target = target
            self.provider = provider
            self.state = state
        }
    }

    public struct FailingCase: Sendable, Hashable {
        public var id: String
        public var target: String

        public init(id: String, target: String) {
            self.id = id
            self.target = target
        }
    }

    public var counts = Counts()
    /// Cases every target passed over completed cases; nil before the first result.
    public var passRate: Double?
    public var criteria: [Summary] = []
    public var targets: [Summary] = []
    public var breakers: [Breaker] = []
    public var failingCases: [FailingCase] = []

    public init(
        counts: Counts = Counts(), passRate: Double? = nil, criteria: [Summary] = [], targets: [Summary] = [],
        breakers: [Breaker] = [], failingCases: [FailingCase] = []
    ) {
        self.counts = counts
        self.passRate = passRate
        self.criteria = criteria
        self.targets = targets
        self.breakers = breakers
        self.failingCases = failingCases
    }

    /// The progress of `aggregates`. A case is `passed` when every target passed it, `errored`
    /// when some target's output could not be generated, `failed` otherwise; criteria are summed
    /// over targets. Pass rates carry intervals at `level` (the suite's `confidenceLevel`): the
    /// targets' are the local reports' (``RunAggregates/TargetAggregates/passRateInterval(level:)``,
    /// cluster-robust by dataset cluster or case) with their mean score's; the criteria's are Wilson's.
    public init(
        _ aggregates: RunAggregates, breakers: [Breaker] = [],
        level: Double = EvaluationSuiteSpec.defaultConfidenceLevel
    ) {
        let errored = aggregates.targets.map(\.errors).max() ?? 0
        counts = Counts(
            total: aggregates.total, completed: aggregates.recorded, passed: aggregates.passed,
            failed: max(0, aggregates.recorded - aggregates.passed - errored), errored: errored)
        passRate = aggregates.recorded == 0 ? nil : Double(aggregates.passed) / Double(aggregates.recorded)
        targets = aggregates.targets.map {
            Summary(
                name: $0.name, passed: $0.passed, failed: $0.failed,
                passRate: $0.passed + $0.failed == 0 ? nil : $0.passRate,
                passRateInterval: Interval($0.passRateInterval(level: level)), meanScore: $0.meanScore,
                meanScoreInterval: Interval($0.meanScoreInterval(level: level)))
        }
        criteria = aggregates.info.criteria.enumerated().map { index, name in
            var passed = 0
            var count = 0
            for target in aggregates.targets where index < target.criteria.count {
                passed += target.criteria[index].passed
                count += target.criteria[index].count
            }
            return Summary(
                name: name, passed: passed, failed: count - passed,
                passRate: count == 0 ? nil : Double(passed) / Double(count),
                passRateInterval: Interval(passed: passed, failed: count - passed, level: level))
        }
        var failing: [FailingCase] = []
        for target in aggregates.targets {
            for id in target.failingCaseIDs where failing.count < Self.maxFailingCases {
                failing.append(FailingCase(id: id, target: target.name))
            }
        }
        failingCases = failing
        self.breakers = breakers
    }

    /// Whether every case has a result.
    public var isComplete: Bool { counts.total > 0 && counts.completed >= counts.total }

    /// The status members this type owns, in the order the CRD lists them.
    public var members: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            (
                "progress",
                [
                    "total": .number(Double(counts.total)), "completed": .number(Double(counts.completed)),
                    "passed": .number(Double(counts.passed)), "failed": .number(Double(counts.failed)),
                    "errored": .number(Double(counts.errored)), "summary": .string(counts.summary),
                ]
            )
        ]
        if let passRate { members.append(("passRate", .number(passRate))) }
        if !criteria.isEmpty { members.append(("criteria", .array(criteria.map(\.json)))) }
        if !targets.isEmpty { members.append(("targets", .array(targets.map(\.json)))) }
        if !breakers.isEmpty { members.append(("breakers", .array(breakers.map(\.json)))) }
        if !failingCases.isEmpty {
            members.append(("failingCases", .array(failingCases.prefix(Self.maxFailingCases).map(\.json))))
        }
        return members
    }

    /// The names of ``members``, for writers that replace exactly these fields (merge patches
    /// send `null` for the ones now absent).
    public static let memberNames = ["progress", "passRate", "criteria", "targets", "breakers", "failingCases"]

    /// A JSON merge patch body for `/status` that sets these members and clears absent ones.
    public var mergePatch: JSONValue {
        var status = JSONObject()
        for name in Self.memberNames { status[name] = .null }
        for (name, value) in members { status[name] = value }
        return ["status": .object(status)]
    }

    /// Reads the members back from a status object (as the operator finds them on the resource).
    public init(status: JSONValue?) {
        let progress = status?["progress"]
        func int(_ key: String) -> Int { Int(progress?[key]?.doubleValue ?? 0) }
        counts = Counts(
            total: int("total"), completed: int("completed"), passed: int("passed"), failed: int("failed"),
            errored: int("errored"))
        passRate = status?["passRate"]?.doubleValue
        func summaries(_ key: String) -> [Summary] {
            (status?[key]?.arrayValue ?? []).compactMap { item in
                guard let name = item["name"]?.stringValue else { return nil }
                return Summary(
                    name: name, passed: Int(item["passed"]?.doubleValue ?? 0),
                    failed: Int(item["failed"]?.doubleValue ?? 0), passRate: item["passRate"]?.doubleValue,
                    passRateInterval: Interval(json: item["passRateInterval"]),
                    meanScore: item["meanScore"]?.doubleValue,
                    meanScoreInterval: Interval(json: item["meanScoreInterval"]))
            }
        }
        criteria = summaries("criteria")
        targets = summaries("targets")
        breakers = (status?["breakers"]?.arrayValue ?? []).compactMap { item in
            guard let provider = item["provider"]?.stringValue,
                let state = item["state"]?.stringValue.flatMap(CircuitState.Kind.init(rawValue:))
            else { return nil }
            return Breaker(target: item["target"]?.stringValue ?? "", provider: provider, state: state)
        }
        failingCases = (status?["failingCases"]?.arrayValue ?? []).compactMap { item in
            item["id"]?.stringValue.map { FailingCase(id: $0, target: item["target"]?.stringValue ?? "") }
        }
    }
}

extension SuiteProgress.Summary {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("passed", .number(Double(passed))), ("failed", .number(Double(failed))),
        ]
        if let passRate { members.append(("passRate", .number(passRate))) }
        if let passRateInterval { members.append(("passRateInterval", passRateInterval.json)) }
        if let meanScore { members.append(("meanScore", .number(meanScore))) }
        if let meanScoreInterval { members.append(("meanScoreInterval", meanScoreInterval.json)) }
        return .object(JSONObject(members))
    }
}

extension SuiteProgress.Breaker {
    public var json: JSONValue {
        ["target": .string(target), "provider": .string(provider), "state": .string(state.rawValue)]
    }
}

extension SuiteProgress.FailingCase {
    public var json: JSONValue { ["id": .string(id), "target": .string(target)] }
}
