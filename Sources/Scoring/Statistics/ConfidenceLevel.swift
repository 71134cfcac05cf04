/// The confidence level of an interval: the share of repeated experiments whose interval would
/// cover the true value.
package enum ConfidenceLevel {
    /// 95%: the default for `spec.confidenceLevel`, and the convention of the references
    /// we check against (statsmodels' `alpha=0.05`) and of Miller 2024, "Adding Error Bars to
    /// Evals" (intervals of ±1.96 standard errors).
    package static let standard = 0.95

    /// The two-sided critical value z with P(-z < Z < z) = `level` for a standard normal Z
    /// (1.959963984540054 at 95%), as `scipy.stats.norm.isf((1 - level) / 2)`.
    package static func criticalValue(_ level: Double) throws(StatisticsError) -> Double {
        try validate(level)
        return -StandardNormal.quantile((1 - level) / 2)
    }

    /// Throws unless `level` lies in the open interval (0, 1).
    package static func validate(_ level: Double) throws(StatisticsError) {
        guard level > 0, level < 1 else { throw .invalidConfidenceLevel(level) }
    }
}
