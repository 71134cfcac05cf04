/// A confidence interval for a difference of two pass rates measured on the same cases.
package struct DifferenceInterval: ConfidenceInterval, Equatable {
    package enum Method: String, Sendable {
        /// Newcombe's hybrid score interval for paired data (method 10 of R. G. Newcombe,
        /// "Improved confidence intervals for the difference between binomial proportions based on
        /// paired data", Statistics in Medicine 17:2635–2650, 1998), also called square-and-add
        /// or MOVER-Wilson with Newcombe's correlation.
        case newcombe
        /// The normal interval on the mean difference of per-case pass fractions with a
        /// cluster-robust standard error (``PairedClusterTest``), for runs with repeats.
        case pairedCluster = "paired-cluster"
    }

    package var low: Double
    package var high: Double
    package var level: Double
    package var method: Method
    package var methodName: String { method.rawValue }

    /// The interval of the opposite difference, passRate(b) - passRate(a).
    package var negated: DifferenceInterval {
        DifferenceInterval(low: -high, high: -low, level: level, method: method)
    }

    /// Newcombe's method 10 for passRate(a) - passRate(b).
    ///
    /// Each pass rate gets its Wilson interval; the two half-widths on either side are combined
    /// as for independent rates (square and add), less a term for their correlation φ, estimated
    /// from the table and shrunk towards 0 by a continuity correction when positive. It is chosen
    /// over the Wald interval on paired differences because it behaves at the edges where evals
    /// live: with no discordant case the Wald interval collapses to the single point 0 (claiming
    /// certainty from 0 disagreements), and near 0% or 100% it leaves [-1, 1] or gets too narrow;
    /// Newcombe's interval stays inside [-1, 1], keeps a width that shrinks with the number of
    /// cases, and its coverage was close to nominal in Newcombe's evaluation.
    package static func newcombe(_ table: PairedOutcomes, level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> DifferenceInterval
    {
        let n = table.cases
        guard n > 0 else { throw .noObservations }
        let rateA = Double(table.passedA) / Double(n)
        let rateB = Double(table.passedB) / Double(n)
        let a = try ProportionInterval.wilson(successes: table.passedA, trials: n, level: level)
        let b = try ProportionInterval.wilson(successes: table.passedB, trials: n, level: level)
        let phi = correlation(table)
        let belowA = rateA - a.low
        let aboveA = a.high - rateA
        let belowB = rateB - b.low
        let aboveB = b.high - rateB
        let lowerReach = (belowA * belowA - 2 * phi * belowA * aboveB + aboveB * aboveB).squareRoot()
        let upperReach = (belowB * belowB - 2 * phi * belowB * aboveA + aboveA * aboveA).squareRoot()
        let difference = table.difference
        return DifferenceInterval(
            low: max(-1, difference - lowerReach), high: min(1, difference + upperReach), level: level,
            method: .newcombe)
    }

    /// Newcombe's estimate of the correlation between the two pass rates: the phi coefficient of
    /// the table, (AD - BC) / sqrt(product of the margins), with AD - BC reduced by n/2 towards 0
    /// when positive (0 when within n/2), and 0 when any margin is empty.
    static func correlation(_ table: PairedOutcomes) -> Double {
        let n = Double(table.cases)
        let margins = [
            table.passedA, table.onlyB + table.neitherPassed, table.passedB, table.onlyA + table.neitherPassed,
        ]
        guard !margins.contains(0) else { return 0 }
        let product = margins.reduce(1.0) { $0 * Double($1) }
        let cross = Double(table.bothPassed) * Double(table.neitherPassed) - Double(table.onlyA) * Double(table.onlyB)
        let corrected = cross > n / 2 ? cross - n / 2 : min(cross, 0)
        return corrected / product.squareRoot()
    }
}
