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
        public var passRate: Double { passed + failed == 0 ? 0 : Double(passed) / Double(passed + failed) }
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

    public var total: Int { info.total }
    public var isComplete: Bool { recorded >= info.total }
    /// Whether every target's pass rate reaches the suite's `passThreshold`.
    public var meetsThreshold: Bool { RunVerdict.meetsThreshold(targets, passThreshold: info.passThreshold) }
    /// Whether the run passed (``RunVerdict``).
    public var verdict: RunVerdict { RunVerdict(self) }

    public init(
        info: RunInfo, counters: [String: Double], samples: [String: TargetSamples], seeded: Bool, cancelled: Bool
    ) {
        func count(_ name: String) -> Int { Int((counters[name] ?? 0).rounded()) }
        self.info = info
        recorded = count("cases")
        passed = count("passed")
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
                latencyP95Ms: sample?.latencyP95Ms, criteria: criteria, failingCaseIDs: sample?.failingCaseIDs ?? [])
        }
        let meets = RunVerdict.meetsThreshold(targets, passThreshold: info.passThreshold)
        phase = SuitePhase.derive(
            seeded: seeded, recorded: recorded, total: info.total, meetsThreshold: meets, cancelled: cancelled)
    }

    /// The 0-based index of the nearest-rank `quantile` of `count` sorted samples.
    public static func nearestRank(_ quantile: Double, count: Int) -> Int? {
        guard count > 0 else { return nil }
        let rank = Int((quantile * Double(count)).rounded(.up))
        return min(max(rank, 1), count) - 1
    }

    public var json: JSONValue {
        .object(
            JSONObject([
                ("id", .string(info.id.rawValue)), ("suite", .string(info.suiteName)),
                ("phase", .string(phase.rawValue)),
                ("total", .number(Double(total))), ("recorded", .number(Double(recorded))),
                ("passed", .number(Double(passed))), ("passThreshold", .number(info.passThreshold)),
                ("meetsThreshold", .bool(meetsThreshold)), ("targets", .array(targets.map(\.json))),
            ]))
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
