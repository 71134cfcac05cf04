import Testing

@testable import Scoring

/// The distributions, the Wilson interval and the mean intervals against scipy and statsmodels,
/// case by case over ``StatisticsCases``.
@Suite("Statistics against scipy and statsmodels", .enabled(if: StatisticsOracle.runnable, StatisticsOracle.skipReason))
struct StatisticsOracleTests {
    /// Closed forms evaluated the same way on both sides (Wilson, standard errors, interval
    /// bounds): the two differ only by rounding in a few operations and in z, a few ulps of
    /// values of order 1.
    static let closedForm = Tolerance(absolute: 1e-12, relative: 1e-12)
    /// The normal quantile: Acklam plus a Halley step against scipy's Cephes ndtri; both reach
    /// full double precision, so a few ulps relative (and an absolute floor for values near 0).
    static let quantile = Tolerance(absolute: 1e-15, relative: 1e-14)
    /// The normal CDF is erfc(-x / √2) on both sides (Glibc's and Cephes'). Rounding x / √2
    /// moves erfc by a relative x² · 1.1e-16 in the lower tail (its logarithmic slope is 2t), so
    /// the two may differ by ~1e-13 at x = -30 however exact each erfc is; below that the
    /// agreement is a few ulps. Φ(-38) ≈ 2.9e-316 is subnormal: there only the floor applies.
    static let cdf = Tolerance(absolute: 1e-300, relative: 1e-12)
    /// Binomial tails: ours sums Loader's terms, scipy's is Boost's incomplete beta function; both
    /// are accurate to about 1e-14 relative, and summing up to ~10⁴ terms (at n = 10⁷) adds
    /// rounding of the same order, so 1e-11 relative leaves room without hiding a wrong term
    /// (a single missing term near the mode of n = 10⁷ is a 2.5e-4 relative error).
    static let binomial = Tolerance(absolute: 1e-300, relative: 1e-11)

    /// Checks `function` at each of `inputs` against the oracle's list `name`.
    static func checkEach(
        _ inputs: [Double], against name: String, _ agreement: consuming Agreement, _ function: (Double) -> Double
    ) throws {
        let reference = try StatisticsOracle.list(name, count: inputs.count)
        for (input, expected) in zip(inputs, reference) {
            agreement.check(function(input), try #require(expected.doubleValue), "\(name)(\(input))")
        }
        agreement.report()
    }

    @Test("the normal quantile matches scipy.stats.norm.ppf from 1e-300 to 1 - 2^-53")
    func normalQuantile() throws {
        try Self.checkEach(
            StatisticsCases.normalQuantiles, against: "normalQuantile",
            Agreement("StandardNormal.quantile", Self.quantile), StandardNormal.quantile)
    }

    @Test("the normal CDF matches scipy.stats.norm.cdf into both tails")
    func normalCDF() throws {
        try Self.checkEach(
            StatisticsCases.normalCDFs, against: "normalCDF", Agreement("StandardNormal.cdf", Self.cdf),
            StandardNormal.cdf)
    }

    @Test("binomial probabilities and both tails match scipy.stats.binom up to n = 10^7")
    func binomialTails() throws {
        let reference = try StatisticsOracle.list("binomial", count: StatisticsCases.binomials.count)
        var atMost = Agreement("BinomialDistribution.atMost", Self.binomial)
        var atLeast = Agreement("BinomialDistribution.atLeast", Self.binomial)
        var probability = Agreement("BinomialDistribution.probability", Self.binomial)
        for (item, expected) in zip(StatisticsCases.binomials, reference) {
            let distribution = BinomialDistribution(trials: item.n, probability: item.p)
            let label = "k = \(item.k), n = \(item.n), p = \(item.p)"
            atMost.check(distribution.atMost(item.k), try #require(expected["atMost"]?.doubleValue), label)
            atLeast.check(distribution.atLeast(item.k), try #require(expected["atLeast"]?.doubleValue), label)
            probability.check(
                distribution.probability(of: item.k), try #require(expected["probability"]?.doubleValue), label)
        }
        for agreement in [atMost, atLeast, probability] { agreement.report() }
    }

    @Test("Wilson intervals match statsmodels' proportion_confint(method=\"wilson\") on the table")
    func wilsonTable() throws {
        #expect(StatisticsCases.proportions.count >= 20)
        let reference = try StatisticsOracle.list(
            "wilson", count: StatisticsCases.proportions.count + 2 * StatisticsCases.randomTables.count)
        var agreement = Agreement("ProportionInterval.wilson", Self.closedForm)
        for (item, expected) in zip(StatisticsCases.proportions, reference) {
            let interval = try ProportionInterval.wilson(
                successes: item.successes, trials: item.trials, level: item.level)
            let label = "\(item.successes) of \(item.trials) at \(item.level)"
            agreement.check(interval.low, try #require(expected["low"]?.doubleValue), "\(label) low")
            agreement.check(interval.high, try #require(expected["high"]?.doubleValue), "\(label) high")
            #expect(interval.method == .wilson && interval.level == item.level)
        }
        agreement.report()
    }

    @Test("mean intervals match statsmodels OLS on a constant, cluster-robust with cov_type=\"cluster\"")
    func meanTable() throws {
        let reference = try StatisticsOracle.list(
            "means", count: StatisticsCases.means.count + StatisticsCases.randomScoreDifferences.count)
        var agreement = Agreement("MeanInterval.normal", Self.closedForm)
        for (item, expected) in zip(StatisticsCases.means, reference) {
            let interval = try item.interval()
            for field in ["estimate", "standardError", "low", "high"] {
                let ours = [
                    "estimate": interval.estimate, "standardError": interval.standardError, "low": interval.low,
                    "high": interval.high,
                ][field]!
                agreement.check(ours, try #require(expected[field]?.doubleValue), "\(item.label) \(field)")
            }
            #expect(interval.method == (item.clusters == nil ? .normal : .clusterRobust), "\(item.label)")
        }
        agreement.report()
    }
}
