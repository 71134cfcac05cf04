import Scoring

/// One case's results for one target summed over its repeats (`spec.repeats` > 1): what the
/// cluster-robust intervals need, each case a cluster (its repeats are correlated), and how a run
/// with repeats is compared case by case, with another target or a baseline. Counted as run
/// counters, `t:<target>:case:<id>:n`, `:passed` and `:score`, so every evaluator and the operator
/// read them with the aggregates and the status's interval is the local report's.
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

    /// The counter prefix of `target`'s per-case tallies.
    static func prefix(_ target: String) -> String { "t:\(target):case:" }

    /// The counters a result of `caseID` adds to `target`'s tally.
    static func increments(target: TargetResult, caseID: String) -> [(String, Double)] {
        let prefix = prefix(target.target) + caseID
        return [(prefix + ":n", 1), (prefix + ":passed", target.passed ? 1 : 0), (prefix + ":score", target.score)]
    }

    /// `target`'s tallies in `counters`, sorted by case id; empty in a run without repeats.
    static func tallies(of target: String, in counters: [String: Double]) -> [CaseTally] {
        let prefix = prefix(target)
        var byCase: [String: CaseTally] = [:]
        for (field, amount) in counters where field.hasPrefix(prefix) {
            let rest = field.dropFirst(prefix.count)
            guard let colon = rest.lastIndex(of: ":") else { continue }
            let caseID = String(rest[..<colon])
            var tally = byCase[caseID] ?? CaseTally(caseID: caseID, results: 0, passed: 0, scoreSum: 0)
            switch rest[rest.index(after: colon)...] {
            case "n": tally.results = Int(amount.rounded())
            case "passed": tally.passed = Int(amount.rounded())
            case "score": tally.scoreSum = amount
            default: continue
            }
            byCase[caseID] = tally
        }
        return byCase.values.sorted { $0.caseID < $1.caseID }
    }
}

extension RunAggregates.TargetAggregates {
    /// The pass rate's interval at `level`: Wilson's over the results, or with repeats the
    /// cluster-robust normal interval with each case a cluster (``CaseTally/passRateInterval(_:level:)``).
    /// What every report, the status and the `lowerBound` gate read.
    package func passRateInterval(level: Double) -> (any ConfidenceInterval)? {
        guard cases.isEmpty else { return CaseTally.passRateInterval(cases, level: level) }
        return try? ProportionInterval.wilson(successes: passed, trials: passed + failed, level: level)
    }

    /// The mean score's normal interval at `level`, cluster-robust by case with repeats; `nil`
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
    /// The cluster-robust normal interval of a pass rate over clusters of results (a case's
    /// repeats, or a dataset `cluster`), kept within [0, 1]; `nil` with fewer than two clusters.
    /// The one computation behind the local reports' and the status's interval with repeats.
    package static func passRateInterval(_ clusters: [CaseTally], level: Double) -> MeanInterval? {
        guard var interval = try? MeanInterval.clustered(clusters.map { ($0.results, Double($0.passed)) }, level: level)
        else { return nil }
        interval.low = max(0, interval.low)
        interval.high = min(1, interval.high)
        return interval
    }
}
