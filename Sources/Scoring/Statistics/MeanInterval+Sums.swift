/// Mean intervals from running sums, for aggregates that keep counters rather than every value
/// (a cluster run's counters in Redis): the same numbers as the value-based constructors.
extension MeanInterval {
    /// The normal interval for the mean of `count` independent values with sum `sum` and sum of
    /// squares `sumOfSquares`: ``normal(_:level:)`` without the values. The variance is
    /// (Σx² − n·mean²) / (n − 1), floored at 0 against rounding.
    package static func normal(count: Int, sum: Double, sumOfSquares: Double, level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> MeanInterval
    {
        let z = try ConfidenceLevel.criticalValue(level)
        guard count > 0 else { throw .noObservations }
        guard count >= 2 else { throw .tooFewObservations(count) }
        guard sum.isFinite, sumOfSquares.isFinite else { throw .nonFiniteValue(index: 0) }
        let n = Double(count)
        let mean = sum / n
        let standardError = (max(0, sumOfSquares - n * mean * mean) / (n * (n - 1))).squareRoot()
        return MeanInterval(
            estimate: mean, standardError: standardError, low: mean - z * standardError,
            high: mean + z * standardError, level: level, method: .normal, observations: count, clusters: count)
    }

    /// The cluster-robust interval for the mean of values of which each cluster gives only its
    /// count and sum (the repeats of one case, summed): ``normal(_:clusters:level:)`` needs no more,
    /// since its standard error sums the residuals within each cluster. Clusters with no value
    /// are skipped.
    package static func clustered(
        _ clusters: [(count: Int, sum: Double)], level: Double = ConfidenceLevel.standard
    ) throws(StatisticsError) -> MeanInterval {
        var values: [Double] = []
        var labels: [Int] = []
        for (index, cluster) in clusters.enumerated() where cluster.count > 0 {
            // Each value at its cluster's mean: the same total, so the same mean and residual sums.
            values += repeatElement(cluster.sum / Double(cluster.count), count: cluster.count)
            labels += repeatElement(index, count: cluster.count)
        }
        return try normal(values, clusters: labels, level: level)
    }
}
