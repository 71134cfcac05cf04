import AssayCore

/// Two targets compared on the same cases: the difference in pass rate with its paired interval,
/// McNemar's exact test, and the paired difference of mean scores.
package struct PairedComparison: Sendable, Equatable {
    package enum Test: String, Sendable {
        case mcnemarExact = "mcnemar-exact"
    }

    /// One case's outcomes for both targets. Cases with the same `cluster` (a dataset's `cluster`
    /// field, or one case's repeats) are treated as correlated in the score difference.
    package struct Case: Sendable, Equatable {
        package var passedA: Bool
        package var passedB: Bool
        package var scoreA: Double
        package var scoreB: Double
        package var cluster: String?

        package init(passedA: Bool, passedB: Bool, scoreA: Double, scoreB: Double, cluster: String? = nil) {
            self.passedA = passedA
            self.passedB = passedB
            self.scoreA = scoreA
            self.scoreB = scoreB
            self.cluster = cluster
        }
    }

    /// passRate(a) - passRate(b).
    package var difference: Double
    package var interval: DifferenceInterval
    /// Two-sided: could the pass rates be equal?
    package var pValue: Double
    /// One-sided: is b worse than a? The baseline gate's p-value, with a the baseline.
    package var pValueBWorse: Double
    package var test: Test
    package var cases: Int
    package var outcomes: PairedOutcomes
    /// meanScore(a) - meanScore(b) with its interval; `nil` when a standard error cannot be
    /// estimated (fewer than two cases or clusters), as ``scoreDifferenceUnavailable`` says.
    package var scoreDifference: MeanInterval?
    package var scoreDifferenceUnavailable: StatisticsError?

    /// Compares a and b over `cases`. The score difference is cluster-robust when any case names
    /// a cluster; a case without one is a cluster of its own.
    package static func compare(_ cases: [Case], level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> PairedComparison
    {
        try ConfidenceLevel.validate(level)
        let outcomes = try PairedOutcomes(a: cases.map(\.passedA), b: cases.map(\.passedB))
        let interval = try DifferenceInterval.newcombe(outcomes, level: level)
        let test = McNemarTest(onlyA: outcomes.onlyA, onlyB: outcomes.onlyB)
        var scoreDifference: MeanInterval?
        var unavailable: StatisticsError?
        do {
            let clusters = cases.contains { $0.cluster != nil } ? clusterLabels(cases) : nil
            scoreDifference = try MeanInterval.pairedDifference(
                cases.map(\.scoreA), cases.map(\.scoreB), clusters: clusters, level: level)
        } catch {
            unavailable = error
        }
        return PairedComparison(
            difference: outcomes.difference, interval: interval, pValue: test.pValue,
            pValueBWorse: test.pValueBWorse, test: .mcnemarExact, cases: outcomes.cases, outcomes: outcomes,
            scoreDifference: scoreDifference, scoreDifferenceUnavailable: unavailable)
    }

    /// Each case's cluster, or a label of its own (which no named cluster can equal) without one.
    private static func clusterLabels(_ cases: [Case]) -> [ClusterLabel] {
        cases.enumerated().map { index, item in item.cluster.map(ClusterLabel.named) ?? .alone(index) }
    }

    private enum ClusterLabel: Hashable {
        case named(String)
        case alone(Int)
    }

    /// `{"a", "b", "difference", "interval", "pValue", "test", "cases", ...}`, one of the report's
    /// `comparisons`.
    package func json(a: String, b: String) -> JSONValue {
        var object = JSONObject([
            ("a", .string(a)), ("b", .string(b)), ("difference", .number(difference)), ("interval", interval.json),
            ("pValue", .number(pValue)), ("test", .string(test.rawValue)), ("cases", .number(Double(cases))),
            ("onlyA", .number(Double(outcomes.onlyA))), ("onlyB", .number(Double(outcomes.onlyB))),
        ])
        if let scoreDifference {
            object["scoreDifference"] = .number(scoreDifference.estimate)
            object["scoreDifferenceInterval"] = scoreDifference.json
        }
        return .object(object)
    }
}
