import AssayCore

/// Two targets compared on the same cases: the difference in pass rate with its paired interval,
/// McNemar's exact test (or, with repeats, the paired test over per-case pass fractions), and the
/// paired difference of mean scores.
package struct PairedComparison: Sendable, Equatable {
    package enum Test: String, Sendable {
        /// One result per case and target: Newcombe's interval and McNemar's exact test.
        case mcnemarExact = "mcnemar-exact"
        /// Several repeats per case, not all agreeing: ``PairedClusterTest`` over per-case pass
        /// fractions.
        case pairedCluster = "paired-cluster"
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

    /// One case's repeats on both sides, tallied: the unit of a comparison with repeats. The sides
    /// may have run different numbers of repeats (a baseline run with another `repeats`).
    package struct RepeatedCase: Sendable, Equatable {
        package var passedA: Int
        package var runsA: Int
        package var passedB: Int
        package var runsB: Int
        /// Mean scores over each side's repeats.
        package var scoreA: Double
        package var scoreB: Double
        /// The dataset `cluster`; `nil`: the case is a cluster of its own.
        package var cluster: String?

        package init(
            passedA: Int, runsA: Int, passedB: Int, runsB: Int, scoreA: Double, scoreB: Double, cluster: String? = nil
        ) {
            precondition(runsA > 0 && runsB > 0 && (0...runsA).contains(passedA) && (0...runsB).contains(passedB))
            self.passedA = passedA
            self.runsA = runsA
            self.passedB = passedB
            self.runsB = runsB
            self.scoreA = scoreA
            self.scoreB = scoreB
            self.cluster = cluster
        }

        package var fractionA: Double { Double(passedA) / Double(runsA) }
        package var fractionB: Double { Double(passedB) / Double(runsB) }
        /// Every repeat on each side had the same outcome.
        package var isUnanimous: Bool {
            (passedA == 0 || passedA == runsA) && (passedB == 0 || passedB == runsB)
        }
        /// The case passes by majority: more than half its repeats passed.
        package var majorityA: Bool { 2 * passedA > runsA }
        package var majorityB: Bool { 2 * passedB > runsB }
    }

    /// passRate(a) - passRate(b).
    package var difference: Double
    /// The pass rates compared: over cases, or with repeats the mean per-case pass fraction.
    package var rateA: Double
    package var rateB: Double
    package var interval: DifferenceInterval
    /// Two-sided: could the pass rates be equal?
    package var pValue: Double
    /// One-sided: is b worse than a? The baseline gate's p-value, with a the baseline.
    package var pValueBWorse: Double
    package var test: Test
    package var cases: Int
    /// The 2×2 table of cases; with repeats, of each case's majority outcome (it passed more than
    /// half its repeats), which is what `onlyA` and `onlyB` count then.
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
        let clusters = cases.contains { $0.cluster != nil } ? clusterLabels(cases.map(\.cluster)) : nil
        let (scoreDifference, unavailable) = scoreDifference(
            cases.map(\.scoreA), cases.map(\.scoreB), clusters: clusters, level: level)
        let n = Double(max(1, outcomes.cases))
        return PairedComparison(
            difference: outcomes.difference, rateA: Double(outcomes.passedA) / n, rateB: Double(outcomes.passedB) / n,
            interval: interval, pValue: test.pValue,
            pValueBWorse: test.pValueBWorse, test: .mcnemarExact, cases: outcomes.cases, outcomes: outcomes,
            scoreDifference: scoreDifference, scoreDifferenceUnavailable: unavailable)
    }

    /// Compares a and b over cases that ran several times each, with ``PairedClusterTest`` on the
    /// per-case pass fractions; the score difference is over per-case mean scores, clustered the
    /// same way.
    ///
    /// When every case's repeats agree on each side (deterministic outputs, or a case that passed
    /// all or none), each case has one binary outcome and the repeats add nothing: the case is
    /// still the unit, and McNemar's exact test with Newcombe's interval over cases is the exact
    /// answer (the normal one would be anticonservative with few cases, and collapse to a point
    /// when nothing changed).
    package static func compare(repeated cases: [RepeatedCase], level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> PairedComparison
    {
        if cases.allSatisfy(\.isUnanimous) {
            return try compare(
                cases.map {
                    Case(
                        passedA: $0.passedA > 0, passedB: $0.passedB > 0, scoreA: $0.scoreA, scoreB: $0.scoreB,
                        cluster: $0.cluster)
                }, level: level)
        }
        let labels = clusterLabels(cases.map(\.cluster))
        let test = try PairedClusterTest(
            differences: cases.map { $0.fractionA - $0.fractionB }, clusters: labels, level: level)
        let outcomes = try PairedOutcomes(a: cases.map(\.majorityA), b: cases.map(\.majorityB))
        let (scoreDifference, unavailable) = scoreDifference(
            cases.map(\.scoreA), cases.map(\.scoreB), clusters: labels, level: level)
        let n = Double(cases.count)
        return PairedComparison(
            difference: test.estimate, rateA: cases.reduce(0) { $0 + $1.fractionA } / n,
            rateB: cases.reduce(0) { $0 + $1.fractionB } / n, interval: test.interval, pValue: test.pValue,
            pValueBWorse: test.pValueBWorse, test: .pairedCluster, cases: cases.count, outcomes: outcomes,
            scoreDifference: scoreDifference, scoreDifferenceUnavailable: unavailable)
    }

    /// The paired difference of mean scores, or why it cannot be estimated.
    private static func scoreDifference(
        _ a: [Double], _ b: [Double], clusters: [ClusterLabel]?, level: Double
    ) -> (MeanInterval?, StatisticsError?) {
        do {
            return (try MeanInterval.pairedDifference(a, b, clusters: clusters, level: level), nil)
        } catch {
            return (nil, error)
        }
    }

    /// Each case's cluster, or a label of its own (which no named cluster can equal) without one.
    private static func clusterLabels(_ clusters: [String?]) -> [ClusterLabel] {
        clusters.enumerated().map { index, cluster in cluster.map(ClusterLabel.named) ?? .alone(index) }
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
