/// A confidence interval for a proportion, such as a target's pass rate: `{low, high, level, method}`.
package struct ProportionInterval: ConfidenceInterval, Equatable {
    package enum Method: String, Sendable {
        /// Wilson's score interval (E. B. Wilson, 1927).
        case wilson
    }

    package var low: Double
    package var high: Double
    package var level: Double
    package var method: Method
    package var methodName: String { method.rawValue }

    /// Wilson's score interval for `successes` of `trials`, as statsmodels'
    /// `proportion_confint(successes, trials, alpha=1 - level, method="wilson")`.
    ///
    /// Unlike the textbook p ± z·sqrt(p(1-p)/n), it stays inside [0, 1] and does not collapse to a
    /// point at 0 of n or n of n: 0 of 20 at 95% is [0, 16.1%], which is what 20 clean runs
    /// actually rule out. Zero trials have no rate and are refused.
    package static func wilson(successes: Int, trials: Int, level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> ProportionInterval
    {
        guard trials > 0 else { throw .noObservations }
        guard successes >= 0, successes <= trials else { throw .countOutOfRange(successes: successes, trials: trials) }
        return try wilson(proportion: Double(successes) / Double(trials), trials: Double(trials), level: level)
    }

    /// Wilson's score interval for a proportion `proportion` observed over `trials` trials, which
    /// may be an effective number (a count of clusters, say) rather than a whole one.
    package static func wilson(proportion p: Double, trials n: Double, level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> ProportionInterval
    {
        guard n > 0 else { throw .noObservations }
        let z = try ConfidenceLevel.criticalValue(level)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let halfWidth = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        // At 0 of n and n of n the bound is exactly 0 (or 1); the subtraction would leave an ulp.
        let low = p == 0 ? 0 : max(0, center - halfWidth)
        let high = p == 1 ? 1 : min(1, center + halfWidth)
        return ProportionInterval(low: low, high: high, level: level, method: .wilson)
    }
}
