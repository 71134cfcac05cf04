import AssayCore
import Testing

@testable import Scoring

/// Paired comparisons against statsmodels' McNemar test, scipy's binomtest and a second
/// (Python) implementation of Newcombe's interval over statsmodels' Wilson limits: on a table of
/// 2×2 tables, and case by case on seeded random paired outcomes.
@Suite(
    "Paired comparisons against statsmodels and scipy",
    .enabled(if: StatisticsOracle.runnable, StatisticsOracle.skipReason))
struct PairedComparisonOracleTests {
    /// Exact p-values: ours and scipy's binomial tails (see ``StatisticsOracleTests/binomial``),
    /// doubled and capped the same way.
    static let pValue = Tolerance(absolute: 1e-300, relative: 1e-11)
    /// Newcombe's limits: the same closed form over Wilson limits on both sides.
    static let interval = StatisticsOracleTests.closedForm

    static var paired: [JSONValue] {
        get throws {
            try StatisticsOracle.list(
                "paired", count: StatisticsCases.tables.count + StatisticsCases.randomTables.count)
        }
    }

    /// Checks one table's test and interval against the oracle's answer for it.
    static func check(
        _ outcomes: PairedOutcomes, level: Double, against expected: JSONValue, _ label: String,
        pValues: inout Agreement, bounds: inout Agreement
    ) throws {
        let test = McNemarTest(onlyA: outcomes.onlyA, onlyB: outcomes.onlyB)
        pValues.check(test.pValue, try #require(expected["pValue"]?.doubleValue), "\(label) two-sided")
        if let worse = expected["pValueBWorse"]?.doubleValue {
            pValues.check(test.pValueBWorse, worse, "\(label) b worse")
        } else {
            #expect(outcomes.onlyA + outcomes.onlyB == 0 && test.pValueBWorse == 1, "\(label)")
        }
        let interval = try DifferenceInterval.newcombe(outcomes, level: level)
        bounds.check(interval.low, try #require(expected["newcombe"]?["low"]?.doubleValue), "\(label) low")
        bounds.check(interval.high, try #require(expected["newcombe"]?["high"]?.doubleValue), "\(label) high")
    }

    @Test("McNemar's exact test, the one-sided test and Newcombe's interval match on the table")
    func table() throws {
        #expect(StatisticsCases.tables.count >= 20)
        let reference = try Self.paired
        var pValues = Agreement("McNemarTest", Self.pValue)
        var bounds = Agreement("DifferenceInterval.newcombe", Self.interval)
        for (item, expected) in zip(StatisticsCases.tables, reference) {
            try Self.check(
                item.outcomes, level: item.level, against: expected, item.label, pValues: &pValues, bounds: &bounds)
        }
        pValues.report()
        bounds.report()
    }

    @Test("on 300 seeded random paired outcomes every statistic matches its reference, case by case")
    func randomOutcomes() throws {
        let reference = try Self.paired.dropFirst(StatisticsCases.tables.count)
        let wilson = try StatisticsOracle.list(
            "wilson", count: StatisticsCases.proportions.count + 2 * StatisticsCases.randomTables.count
        ).dropFirst(StatisticsCases.proportions.count)
        let means = try StatisticsOracle.list(
            "means", count: StatisticsCases.means.count + StatisticsCases.randomScoreDifferences.count
        ).dropFirst(StatisticsCases.means.count)
        var pValues = Agreement("McNemarTest (random)", Self.pValue)
        var bounds = Agreement("DifferenceInterval.newcombe (random)", Self.interval)
        var rates = Agreement("ProportionInterval.wilson (random)", StatisticsOracleTests.closedForm)
        var scores = Agreement("MeanInterval.pairedDifference (random)", StatisticsOracleTests.closedForm)
        for (index, cases) in StatisticsCases.randomComparisons.enumerated() {
            let label = "random #\(index) (\(cases.count) cases)"
            let comparison = try PairedComparison.compare(cases)
            let outcomes = comparison.outcomes
            #expect(outcomes == StatisticsCases.randomTables[index], "\(label)")
            try Self.check(
                outcomes, level: ConfidenceLevel.standard, against: reference[reference.startIndex + index], label,
                pValues: &pValues, bounds: &bounds)
            #expect(comparison.test == .mcnemarExact && comparison.cases == cases.count)
            #expect(comparison.interval.contains(comparison.difference), "\(label)")
            #expect(-1 <= comparison.interval.low && comparison.interval.high <= 1)

            for (offset, passed) in [outcomes.passedA, outcomes.passedB].enumerated() {
                let expected = wilson[wilson.startIndex + 2 * index + offset]
                let interval = try ProportionInterval.wilson(successes: passed, trials: cases.count)
                rates.check(interval.low, try #require(expected["low"]?.doubleValue), "\(label) rate \(offset) low")
                rates.check(interval.high, try #require(expected["high"]?.doubleValue), "\(label) rate \(offset) high")
            }

            let expected = means[means.startIndex + index]
            if expected == .null {
                #expect(comparison.scoreDifference == nil && comparison.scoreDifferenceUnavailable != nil, "\(label)")
            } else {
                let difference = try #require(comparison.scoreDifference, "\(label): no score difference")
                scores.check(difference.estimate, try #require(expected["estimate"]?.doubleValue), "\(label) estimate")
                scores.check(difference.low, try #require(expected["low"]?.doubleValue), "\(label) low")
                scores.check(difference.high, try #require(expected["high"]?.doubleValue), "\(label) high")
            }
        }
        for agreement in [pValues, bounds, rates, scores] { agreement.report() }
    }

    /// Normal p-values of the paired-cluster test: Φ(-|z|) on both sides (Glibc's and Cephes'
    /// erfc) with z equal to a few ulps; the relative error of Φ grows as z² times that of z, so
    /// 1e-10 leaves room up to |z| ≈ 30 (beyond, both are 0 or subnormal; the floor applies).
    static let normalPValue = Tolerance(absolute: 1e-300, relative: 1e-10)

    static var pairedCluster: [JSONValue] {
        get throws {
            try StatisticsOracle.list(
                "pairedCluster",
                count: StatisticsCases.repeatedTable.count + StatisticsCases.randomRepeatedComparisons.count)
        }
    }

    @Test(
        "with repeats the paired test over per-case pass fractions matches statsmodels' cluster-robust OLS and scipy's ttest_rel, edges and 200 random runs"
    )
    func pairedClusterTest() throws {
        #expect(StatisticsCases.repeatedTable.count >= 12)
        let cases = StatisticsCases.repeatedTable + StatisticsCases.randomRepeatedComparisons
        var estimates = Agreement("PairedClusterTest estimate", StatisticsOracleTests.closedForm)
        var bounds = Agreement("PairedClusterTest interval", StatisticsOracleTests.closedForm)
        var pValues = Agreement("PairedClusterTest p-value", Self.normalPValue)
        for (item, expected) in zip(cases, try Self.pairedCluster) {
            let label = "\(item.label) (\(item.a.count) cases)"
            let test = try PairedClusterTest(
                differences: item.cases.map { $0.fractionA - $0.fractionB },
                clusters: item.clusters.enumerated().map { $1 ?? "alone \($0)" }, level: item.level)
            estimates.check(test.estimate, try #require(expected["estimate"]?.doubleValue), "\(label) estimate")
            #expect(test.interval.method == .pairedCluster, "\(label)")
            bounds.check(test.interval.low, try #require(expected["low"]?.doubleValue), "\(label) low")
            bounds.check(test.interval.high, try #require(expected["high"]?.doubleValue), "\(label) high")
            pValues.check(test.pValue, try #require(expected["pValue"]?.doubleValue), "\(label) two-sided")
            pValues.check(test.pValueBWorse, try #require(expected["pValueBWorse"]?.doubleValue), "\(label) b worse")
            if let standardError = expected["standardError"]?.doubleValue {
                estimates.check(test.standardError, standardError, "\(label) standard error")
            } else {
                #expect(test.clusters < 2 && test.pValue == 1, "\(label)")
            }
            if let t = expected["tStatistic"]?.doubleValue {
                estimates.check(test.estimate / test.standardError, t, "\(label) ttest_rel statistic")
            }
            // The comparison uses the test unless every case's repeats agree (then McNemar over cases).
            let comparison = try PairedComparison.compare(repeated: item.cases, level: item.level)
            let unanimous = item.cases.allSatisfy(\.isUnanimous)
            #expect(comparison.test == (unanimous ? .mcnemarExact : .pairedCluster), "\(label)")
            #expect(comparison.cases == item.a.count, "\(label)")
            if !unanimous {
                pValues.check(comparison.pValue, test.pValue, "\(label) comparison's p-value")
                bounds.check(comparison.interval.low, test.interval.low, "\(label) comparison's low")
                bounds.check(comparison.interval.high, test.interval.high, "\(label) comparison's high")
            }
            estimates.check(comparison.rateA, try #require(expected["rateA"]?.doubleValue), "\(label) rate a")
            estimates.check(comparison.rateB, try #require(expected["rateB"]?.doubleValue), "\(label) rate b")
        }
        for agreement in [estimates, bounds, pValues] { agreement.report() }
    }

    @Test("when every case's repeats agree, the comparison is McNemar's over cases, as with one repeat")
    func unanimousRepeats() throws {
        let table = StatisticsCases.Repeated(
            "unanimous", a: (0..<40).map { Array(repeating: $0 % 5 != 0, count: 3) },
            b: (0..<40).map { Array(repeating: $0 % 3 != 0, count: 2) })
        let repeated = try PairedComparison.compare(repeated: table.cases)
        let single = try PairedComparison.compare(
            table.cases.map {
                PairedComparison.Case(passedA: $0.passedA > 0, passedB: $0.passedB > 0, scoreA: 0, scoreB: 0)
            })
        #expect(repeated.test == .mcnemarExact && repeated.cases == 40)
        #expect(repeated.pValue == single.pValue && repeated.interval == single.interval)
        #expect(repeated.outcomes == single.outcomes)
    }
}
