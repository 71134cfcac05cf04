/// The standard error of a mean: how far the mean of these scores would typically move if the
/// cases were drawn again from the same population of questions (Miller 2024, "Adding Error
/// Bars to Evals").
package enum StandardError {
    /// s / sqrt(n), with s the sample standard deviation (n - 1 in its denominator), as
    /// `scipy.stats.sem` and statsmodels' OLS on a constant.
    package static func ofMean(_ values: [Double]) throws(StatisticsError) -> Double {
        try validate(values)
        guard values.count >= 2 else { throw .tooFewObservations(values.count) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / (n * (n - 1))).squareRoot()
    }

    /// The cluster-robust standard error of the mean when observations that share a cluster may
    /// be correlated: cases built on one document (a dataset's `cluster` field), or the repeats of
    /// one case. Observations in different clusters are taken as independent.
    ///
    /// Miller 2024 (appendix A) sums the residuals within each cluster: with N observations, G
    /// clusters, residuals e = x - mean and S_g the sum of the residuals in cluster g,
    ///
    ///     SE² = G / (G - 1) · Σ_g S_g² / N²
    ///
    /// The factor G / (G - 1) is the usual finite-cluster correction (CR1), the one statsmodels
    /// applies by default to OLS on a constant with `cov_type="cluster"` (its (N - 1) / (N - K)
    /// factor is 1 with one regressor) and the one Inspect AI's clustered `stderr` adds to the
    /// paper's formula. With every observation in its own cluster it equals ``ofMean(_:)``
    /// exactly; with positively correlated clusters it is larger, by up to sqrt(cluster size).
    package static func clusterRobust<Cluster: Hashable>(_ values: [Double], clusters: [Cluster])
        throws(StatisticsError) -> Double
    {
        try validate(values)
        guard clusters.count == values.count else {
            throw .lengthMismatch("clusters", expected: values.count, actual: clusters.count)
        }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        var residualSums: [Cluster: Double] = [:]
        for (value, cluster) in zip(values, clusters) { residualSums[cluster, default: 0] += value - mean }
        guard residualSums.count >= 2 else { throw .tooFewClusters(residualSums.count) }
        let g = Double(residualSums.count)
        let meat = residualSums.values.reduce(0) { $0 + $1 * $1 }
        return (g / (g - 1) * meat).squareRoot() / n
    }

    private static func validate(_ values: [Double]) throws(StatisticsError) {
        guard !values.isEmpty else { throw .noObservations }
        if let index = values.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(index: index) }
    }
}
