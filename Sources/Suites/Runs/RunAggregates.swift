import AssayCore

/// A run's progress and summary, readable at any time: counts, pass rates, per-criterion pass
/// rate and mean score, latency percentiles, tokens and failing case ids, per target.
public struct RunAggregates: Sendable, Hashable {
    /// Failing case ids listed per target; the count is always complete. (Our choice: enough to
    /// start debugging, small enough for a resource's status.)
    public static let maxFailingCaseIDs = 100

    public struct CriterionAggregate: Sendable, Hashable {
        public var name: String
        /// Results that carried this criterion (a target's generation error carries none).
        public var count: Int
        public var passed: Int
        public var meanScore: Double
        public var passRate: Double { count == 0 ? 0 : Double(passed) / Double(count) }
    }

    public struct TargetAggregates: Sendable, Hashable {
        public var name: String
        public var passed: Int
        public var failed: Int
        /// Cases whose output could not be generated (counted in `failed` too).
        public var errors: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var latencyP50Ms: Double?
        public var latencyP95Ms: Double?
        public var criteria: [CriterionAggregate]
        public var failingCaseIDs: [String]
        /// The sum of the results' scores and of their squares (`nil` in runs recorded before
        /// they were counted): the mean score and its interval.
        public var scoreSum: Double?
        public var scoreSquares: Double?
        /// With repeats, each case's results summed over its repeats, by case id: the cases are
        /// the clusters of the pass rate's and mean score's intervals. Empty without repeats.
        public var cases: [CaseTally] = []
        public var passRate: Double { passed + failed == 0 ? 0 : Double(passed) / Double(passed + failed) }
        /// The mean of the results' scores; `nil` before the first result.
        public var meanScore: Double? {
            guard let scoreSum, passed + failed > 0 else { return nil }
            return scoreSum / Double(passed + failed)
        }
    }

    /// What cannot be summed: latency percentiles and the first failing ids of a target.
    public struct TargetSamples: Sendable, Hashable {
        public var latencyP50Ms: Double?
        public var latencyP95Ms: Double?
        public var failingCaseIDs: [String]

        public init(latencyP50Ms: Double?, latencyP95Ms: Double?, failingCaseIDs: [String]) {
            self.latencyP50Ms = latencyP50Ms
            self.latencyP95Ms = latencyP95Ms
            self.failingCaseIDs = failingCaseIDs
        }
    }

    public var info: RunInfo
    public var phase: SuitePhase
    /// Cases with a result.
    public var recorded: Int
    /// Cases every target passed.
    public var passed: Int
    public var targets: [TargetAggregates]
    /// Tokens every target used so far (what `spec.budget.maxTokens` counts).
    public var spentTokens: Int
    /// The priced results' cost so far (what `spec.budget.maxCost` counts).
    public var spentCost: Double
    /// The budget is spent: no new case starts and the run ended Failed (reason `BudgetExceeded`).
    public var budgetExceeded: Bool

    public var total: Int { info.total }
    public var isComplete: Bool { recorded >= info.total }
    /// Whether every target's pass rate (or, gated on `lowerBound`, its interval's lower bound)
    /// reaches the suite's `passThreshold`.
    public var meetsThreshold: Bool {
        RunVerdict.meetsThreshold(
            targets, passThreshold: info.passThreshold, gate: info.gate, level: info.confidenceLevel)
    }
    /// Whether the run passed (``RunVerdict``).
    public var verdict: RunVerdict { RunVerdict(self) }

    public init(
        info: RunInfo, counters: [String: Double], samples: [String: TargetSamples], seeded: Bool, cancelled: Bool,
        budgetExceeded: Bool = false
    ) {
        func count(_ name: String) -> Int { Int((counters[name] ?? 0).rounded()) }
        self.info = info
        recorded = count("cases")
        passed = count("passed")
        spentTokens = count("spent:tokens")
        spentCost = counters["spent:cost"] ?? 0
        self.budgetExceeded = budgetExceeded
        targets = info.targets.map { name in
            let prefix = "t:\(name):"
            let criteria = info.criteria.enumerated().map { index, criterion in
                let n = count(prefix + "c\(index):n")
                return CriterionAggregate(
                    name: criterion, count: n, passed: count(prefix + "c\(index):passed"),
                    meanScore: n == 0 ? 0 : (counters[prefix + "c\(index):score"] ?? 0) / Double(n))
            }
            let sample = samples[name]
            return TargetAggregates(
                name: name, passed: count(prefix + "passed"), failed: count(prefix + "failed"),
                errors: count(prefix + "errors"), inputTokens: count(prefix + "inputTokens"),
                outputTokens: count(prefix + "outputTokens"), latencyP50Ms: sample?.latencyP50Ms,
                latencyP95Ms: sample?.latencyP95Ms, criteria: criteria, failingCaseIDs: sample?.failingCaseIDs ?? [],
                scoreSum: counters[prefix + "score"], scoreSquares: counters[prefix + "score2"],
                cases: CaseTally.tallies(of: name, in: counters))
        }
        let meets = RunVerdict.meetsThreshold(
            targets, passThreshold: info.passThreshold, gate: info.gate, level: info.confidenceLevel)
        phase = SuitePhase.derive(
            seeded: seeded, recorded: recorded, total: info.total, meetsThreshold: meets, cancelled: cancelled,
            budgetExceeded: budgetExceeded)
    }

    /// `budget`: the limits, what was spent and whether it ran out; nothing without a budget.
    private var budgetJSON: [(String, JSONValue)] {
        guard let budget = info.budget else { return [] }
        return [
            (
                "budget",
                .object(
                    JSONObject([
                        ("maxTokens", budget.maxTokens.map { .number(Double($0)) } ?? .null),
                        ("maxCost", budget.maxCost.map(JSONValue.number) ?? .null),
                        ("tokens", .number(Double(spentTokens))), ("cost", .number(spentCost)),
                        ("exceeded", .bool(budgetExceeded)),
                        ("reason", budgetExceeded ? "BudgetExceeded" : .null),
                    ]))
            )
        ]
    }

    /// Whether `counters` spend `budget` (either limit reached).
    public static func spends(_ budget: BudgetSpec?, counters: [String: Double]) -> Bool {
        guard let budget else { return false }
        if let maxTokens = budget.maxTokens, (counters["spent:tokens"] ?? 0) >= Double(maxTokens) { return true }
        if let maxCost = budget.maxCost, (counters["spent:cost"] ?? 0) >= maxCost { return true }
        return false
    }

    /// The 0-based index of the nearest-rank `quantile` of `count` sorted samples.
    public static func nearestRank(_ quantile: Double, count: Int) -> Int? {
        guard count > 0 else { return nil }
        let rank = Int((quantile * Double(count)).rounded(.up))
        return min(max(rank, 1), count) - 1
    }

    public var json: JSONValue {
        .object(
            JSONObject(
                [
                    ("id", .string(info.id.rawValue)), ("suite", .string(info.suiteName)),
                    ("phase", .string(phase.rawValue)),
                    ("total", .number(Double(total))), ("recorded", .number(Double(recorded))),
                    ("passed", .number(Double(passed))), ("passThreshold", .number(info.passThreshold)),
                    ("meetsThreshold", .bool(meetsThreshold)), ("targets", .array(targets.map(\.json))),
                ] + budgetJSON))
    }
}

extension RunAggregates.TargetAggregates {
    public var json: JSONValue {
        .object(
            JSONObject([
                ("name", .string(name)), ("passed", .number(Double(passed))), ("failed", .number(Double(failed))),
                ("errors", .number(Double(errors))), ("passRate", .number(passRate)),
                (
                    "latencyMs",
                    [
                        "p50": latencyP50Ms.map(JSONValue.number) ?? .null,
                        "p95": latencyP95Ms.map(JSONValue.number) ?? .null,
                    ]
                ),
                ("tokens", ["input": .number(Double(inputTokens)), "output": .number(Double(outputTokens))]),
                (
                    "criteria",
                    .array(
                        criteria.map {
                            [
                                "name": .string($0.name), "passRate": .number($0.passRate),
                                "meanScore": .number($0.meanScore), "count": .number(Double($0.count)),
                            ]
                        })
                ),
                ("failingCaseIds", .array(failingCaseIDs.map(JSONValue.string))),
            ]))
    }
}
