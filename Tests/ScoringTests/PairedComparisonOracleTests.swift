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
}
