import Scoring

/// One case's results for one target summed over its repeats (`spec.repeats` > 1), or a dataset
/// `cluster`'s over its cases: what the cluster-robust intervals need (a case's repeats, and the
/// cases of one cluster, are correlated), and how a run with repeats is compared case by case,
/// with another target or a baseline. Counted as run counters, `t:<target>:case:<id>:n`,
/// `:passed` and `:score` (`t:<target>:cluster:<name>:…` for a case with a dataset `cluster`), so
/// every evaluator and the operator read them with the aggregates and the status's interval is
/// the local report's.
public struct CaseTally: Sendable, Hashable {
    public var caseID: String
    /// Results recorded for the case (one per repeat so far).
    public var results: Int
    public var passed: Int
    public var scoreSum: Double

    public init(caseID: String, results: Int, passed: Int, scoreSum: Double) {
        self.caseID = caseID
        self.results = results
        self.passed = passed
        self.scoreSum = scoreSum
    }

    /// One result of `caseID`.
    public init(caseID: String, passed: Bool, score: Double) {
        self.init(caseID: caseID, results: 1, passed: passed ? 1 : 0, scoreSum: score)
    }

    /// Adds one more repeat's result.
    public mutating func add(passed: Bool, score: Double) {
        results += 1
        if passed { self.passed += 1 }
        scoreSum += score
    }

    public var meanScore: Double { scoreSum / Double(results) }

    /// The case passes by strict majority: more than half its repeats passed (with one result, it
    /// passed). What "newly failing" and "newly passing" mean with repeats.
    public var passedByMajority: Bool { 2 * passed > results }

    /// What a result of `caseID` is tallied under: its dataset `cluster`, else, when `everyCase`
    /// (a run with repeats, or whose dataset names clusters), the case itself; `nil`: not tallied.
    /// The one choice behind the recorded counters and a recount, and the local report's clusters.
    public static func unit(caseID: String, cluster: String?, everyCase: Bool) -> String? {
        if let cluster { return clusterUnit + cluster }
        return everyCase ? caseUnit + caseID : nil
    }

    static let caseUnit = "case:"
    static let clusterUnit = "cluster:"

    /// The counters a result adds to `target`'s tally of `unit` (``unit(caseID:cluster:everyCase:)``).
    static func increments(target: TargetResult, unit: String) -> [(String, Double)] {
        let prefix = "t:\(target.target):" + unit
        return [(prefix + ":n", 1), (prefix + ":passed", target.passed ? 1 : 0), (prefix + ":score", target.score)]
    }

    /// `target`'s tallies in `counters`, sorted: one per case (its id) and per dataset cluster
    /// (`cluster:` and its name); empty in a run without repeats or clusters.
    static func tallies(of target: String, in counters: [String: Double]) -> [CaseTally] {
        let prefix = "t:\(target):"
        var byUnit: [String: CaseTally] = [:]
        for (field, amount) in counters where field.hasPrefix(prefix) {
            let rest = field.dropFirst(prefix.count)
            guard rest.hasPrefix(caseUnit) || rest.hasPrefix(clusterUnit), let colon = rest.lastIndex(of: ":")
            else { continue }
            let unit = String(rest[..<colon])
            let id = unit.hasPrefix(caseUnit) ? String(unit.dropFirst(caseUnit.count)) : unit
            var tally = byUnit[unit] ?? CaseTally(caseID: id, results: 0, passed: 0, scoreSum: 0)
            switch rest[rest.index(after: colon)...] {
            case "n": tally.results = Int(amount.rounded())
            case "passed": tally.passed = Int(amount.rounded())
            case "score": tally.scoreSum = amount
            default: continue
            }
            byUnit[unit] = tally
        }
        return byUnit.values.sorted { $0.caseID < $1.caseID }
    }
}

extension RunAggregates.TargetAggregates {
    /// The pass rate's interval at `level`: Wilson's over the results, or with repeats or dataset
    /// clusters the cluster-robust normal interval, each dataset `cluster` a cluster and each other
    /// case one of its own (``CaseTally/passRateInterval(_:level:)``).
    /// What every report, the status and the `lowerBound` gate read.
    package func passRateInterval(level: Double) -> (any ConfidenceInterval)? {
        guard cases.isEmpty else { return CaseTally.passRateInterval(cases, level: level) }
        return try? ProportionInterval.wilson(successes: passed, trials: passed + failed, level: level)
    }

    /// The mean score's normal interval at `level`, cluster-robust (by dataset `cluster`, else by
    /// case) with repeats or dataset clusters; `nil`
    /// without two results (or two cases), or in a run recorded before scores were counted.
    package func meanScoreInterval(level: Double) -> MeanInterval? {
        guard cases.isEmpty else {
            return try? MeanInterval.clustered(cases.map { ($0.results, $0.scoreSum) }, level: level)
        }
        guard let scoreSum, let scoreSquares else { return nil }
        return try? MeanInterval.normal(
            count: passed + failed, sum: scoreSum, sumOfSquares: scoreSquares, level: level)
    }
}

extension CaseTally {
    /// A standard error this small is rounding of identical rates (2/3 summed and averaged), not
    /// spread: the smallest real one, two clusters of 10,000 results differing by one pass, is
    /// about 5e-5. (The same floor as ``PairedClusterTest``'s.)
    static let noSpread = 1e-12

    /// The cluster-robust normal interval of a pass rate over clusters of results (a case's
    /// repeats, or a dataset `cluster`), kept within [0, 1]; `nil` with fewer than two clusters.
    /// The one computation behind the local reports' and the status's clustered interval.
    ///
    /// Where the clusters show no spread at all (every cluster at the same rate: all passed, all
    /// failed, or each case 2 of 3) the standard error is 0 and the normal interval would be a
    /// point, so 30 cases passing every repeat would "prove" a 100% pass rate and a `lowerBound`
    /// gate would pass on nothing. There the bounds are Wilson's with each cluster counted as one
    /// trial (the most the clusters can be worth if their results are perfectly correlated):
    /// 30 of 30 cases at 95% gives [88.6%, 100%].
    package static func passRateInterval(_ clusters: [CaseTally], level: Double) -> MeanInterval? {
        // (``noSpread`` is a standard error no real spread of rates produces, only rounding.)
        guard var interval = try? MeanInterval.clustered(clusters.map { ($0.results, Double($0.passed)) }, level: level)
        else { return nil }
        if interval.standardError <= Self.noSpread,
            let wilson = try? ProportionInterval.wilson(
                proportion: interval.estimate, trials: Double(interval.clusters), level: level)
        {
            interval.low = wilson.low
            interval.high = wilson.high
        }
        interval.low = max(0, interval.low)
        interval.high = min(1, interval.high)
        return interval
    }
}
