import AssayCore
import Scoring

/// What a finished run's numbers support: a Wilson interval on every pass rate, a normal interval
/// on every mean score (cluster-robust when cases share a dataset `cluster`), paired comparisons
/// between targets, the comparison with a baseline run, the most frequent error reasons, and the
/// one ``RunVerdict`` these gate. Reports, the exit status and the status read it.
package struct RunAnalysis: Sendable {
    /// Error reasons a report lists per target. (Issue 13: the top 5.)
    package static let maxErrorReasons = 5

    package struct CriterionStatistics: Sendable {
        package var name: String
        package var passRateInterval: ProportionInterval?
        package var meanScoreInterval: MeanInterval?
    }

    package struct TargetStatistics: Sendable {
        package var name: String
        package var passRate: Double
        /// Wilson's interval over cases; with repeats or dataset clusters, a cluster-robust interval
        /// over every (case, repeat) result, each dataset `cluster` a cluster and each other case
        /// one of its own (a case's repeats, and paraphrases of one question, are correlated).
        package var passRateInterval: (any ConfidenceInterval)?
        package var meanScore: Double?
        package var meanScoreInterval: MeanInterval?
        package var criteria: [CriterionStatistics]
        /// The most frequent reasons an output could not be produced, most frequent first.
        package var errorReasons: [ErrorReason]
        /// pass^N, the mean per-case pass fraction and flaky cases; `nil` without repeats.
        package var repeats: RepeatStatistics?
        package var verdict: RunVerdict
    }

    package struct ErrorReason: Sendable, Hashable {
        package var reason: String
        package var count: Int
    }

    package struct Comparison: Sendable {
        package var a: String
        package var b: String
        package var result: PairedComparison
    }

    package var level: Double
    package var gate: GateSpec
    package var targets: [TargetStatistics]
    package var comparisons: [Comparison]
    package var baseline: BaselineVerdict?
    package var verdict: RunVerdict

    /// Analyses `aggregates` and their `cases`; `clusters` maps a case id to its dataset
    /// `cluster` (cases without one are independent).
    package init(
        _ aggregates: RunAggregates, cases: [CaseResult], clusters: [String: String] = [:],
        spec: EvaluationSuiteSpec, baseline: BaselineReport? = nil
    ) {
        level = spec.confidenceLevel
        gate = spec.gate
        let outcomes = TargetOutcomes(cases: cases, clusters: clusters)
        targets = aggregates.targets.map { target in
            Self.statistics(target, outcomes: outcomes, level: spec.confidenceLevel, spec: spec, aggregates: aggregates)
        }
        // With repeats the case is the unit: its repeats are tallied, not paired one by one.
        let repeated = aggregates.info.repeats > 1
        comparisons = spec.compare.pairs(aggregates.info.targets).compactMap { pair in
            let result =
                repeated
                ? try? PairedComparison.compare(
                    repeated: outcomes.pairedByCase(pair.a, pair.b), level: spec.confidenceLevel)
                : try? PairedComparison.compare(outcomes.paired(pair.a, pair.b), level: spec.confidenceLevel)
            return result.map { Comparison(a: pair.a, b: pair.b, result: $0) }
        }
        self.baseline = baseline.map {
            BaselineVerdict(baseline: $0, current: outcomes, targets: aggregates.info.targets, spec: spec)
        }
        // Each target gated on the interval this analysis reports (with repeats and a dataset
        // `cluster`, clustered by that cluster), so a report never shows a bound it did not gate on.
        verdict = RunVerdict(
            aggregates, meetsThreshold: targets.allSatisfy(\.verdict.passed),
            regressed: self.baseline?.regressed ?? false)
    }

    private static func statistics(
        _ target: RunAggregates.TargetAggregates, outcomes: TargetOutcomes, level: Double, spec: EvaluationSuiteSpec,
        aggregates: RunAggregates
    ) -> TargetStatistics {
        let results = outcomes.results(of: target.name)
        let scores = results.map(\.result.score)
        let criteria = target.criteria.enumerated().map { index, criterion in
            let carried = results.filter { index < $0.result.criteria.count }
            return CriterionStatistics(
                name: criterion.name,
                passRateInterval: try? ProportionInterval.wilson(
                    successes: criterion.passed, trials: criterion.count, level: level),
                meanScoreInterval: meanInterval(
                    carried.map { $0.result.criteria[index].score }, clusters: carried.map(\.cluster), level: level))
        }
        var counts: [String: Int] = [:]
        for result in results { if let error = result.result.error { counts[error, default: 0] += 1 } }
        let repeats = aggregates.info.repeats
        // With repeats or dataset clusters, clustered exactly as the run's counters tally them.
        let passRateInterval: (any ConfidenceInterval)? =
            results.contains { $0.cluster != nil }
            ? CaseTally.passRateInterval(tallies(results), level: level)
            : target.passRateInterval(level: level)
        let reasons = counts.map { ErrorReason(reason: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
        return TargetStatistics(
            name: target.name, passRate: target.passRate, passRateInterval: passRateInterval,
            meanScore: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
            meanScoreInterval: meanInterval(scores, clusters: results.map(\.cluster), level: level),
            criteria: criteria, errorReasons: Array(reasons.prefix(maxErrorReasons)),
            repeats: repeats > 1 ? RepeatStatistics(results, repeats: repeats) : nil,
            verdict: RunVerdict(
                rate: target.passRate, interval: passRateInterval, passThreshold: aggregates.info.passThreshold,
                gate: spec.gate))
    }

    /// `results` summed per cluster (the dataset `cluster`, else the case), or with `byCluster`
    /// false per case, sorted: with repeats and no dataset clusters, the aggregates' own
    /// ``CaseTally`` list.
    package static func tallies(_ results: [TargetOutcomes.Outcome], byCluster: Bool = true) -> [CaseTally] {
        var tallies: [String: CaseTally] = [:]
        for outcome in results {
            let cluster = byCluster ? outcome.cluster ?? "case:" + outcome.caseID : outcome.caseID
            tallies[cluster, default: CaseTally(caseID: cluster, results: 0, passed: 0, scoreSum: 0)].add(
                passed: outcome.result.passed, score: outcome.result.score)
        }
        return tallies.values.sorted { $0.caseID < $1.caseID }
    }

    /// The normal interval of `values`, cluster-robust when any value has a cluster; `nil` when
    /// no standard error can be estimated (fewer than two values or clusters).
    static func meanInterval(_ values: [Double], clusters: [String?], level: Double) -> MeanInterval? {
        let clustered = clusters.contains { $0 != nil }
        let labels = clusters.enumerated().map { index, cluster in cluster.map { "c:" + $0 } ?? "i:\(index)" }
        return try? MeanInterval.normal(values, clusters: clustered ? labels : nil, level: level)
    }
}

/// Every case's result per target, in recording order, with its cluster: what the intervals and
/// paired comparisons are computed from.
package struct TargetOutcomes: Sendable {
    package struct Outcome: Sendable {
        package var caseID: String
        /// The repeat (from 1) this result is of its case.
        package var `repeat`: Int = 1
        /// The dataset `cluster`; with repeats, the case itself when the dataset gives none (a
        /// case's repeats are correlated, so every interval treats them as one cluster).
        package var cluster: String?
        package var result: TargetResult
    }

    private var byTarget: [String: [Outcome]] = [:]

    package init(cases: [CaseResult], clusters: [String: String]) {
        let repeated = cases.contains { $0.repeat > 1 }
        for item in cases {
            let cluster = clusters[item.caseID].map { "cluster:" + $0 } ?? (repeated ? "case:" + item.caseID : nil)
            for result in item.targets {
                byTarget[result.target, default: []].append(
                    Outcome(caseID: item.caseID, repeat: item.repeat, cluster: cluster, result: result))
            }
        }
    }

    package func results(of target: String) -> [Outcome] { byTarget[target] ?? [] }

    /// The cases both targets have a result for, as paired outcomes.
    func paired(_ a: String, _ b: String) -> [PairedComparison.Case] {
        var other: [String: TargetResult] = [:]
        for outcome in results(of: b) {
            other[CaseResult.recordKey(outcome.caseID, repeat: outcome.repeat)] = outcome.result
        }
        return results(of: a).compactMap { outcome in
            other[CaseResult.recordKey(outcome.caseID, repeat: outcome.repeat)].map {
                PairedComparison.Case(
                    passedA: outcome.result.passed, passedB: $0.passed, scoreA: outcome.result.score, scoreB: $0.score,
                    cluster: outcome.cluster)
            }
        }
    }
}
