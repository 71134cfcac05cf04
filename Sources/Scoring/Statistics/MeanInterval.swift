/// A normal confidence interval for a mean score: estimate ± z · standard error.
package struct MeanInterval: ConfidenceInterval, Equatable {
    package enum Method: String, Sendable {
        /// The standard error from the sample standard deviation (cases independent).
        case normal
        /// The cluster-robust standard error (cases in one cluster may be correlated).
        case clusterRobust = "cluster-robust"
    }

    /// The mean itself.
    package var estimate: Double
    package var standardError: Double
    package var low: Double
    package var high: Double
    package var level: Double
    package var method: Method
    package var methodName: String { method.rawValue }
    /// How many values the mean is over.
    package var observations: Int
    /// How many independent clusters they form (`observations` when unclustered).
    package var clusters: Int

    /// The interval for the mean of `values`; cluster-robust when `clusters` (one label per value)
    /// is given. Refuses fewer than two values, or fewer than two clusters, where no standard
    /// error can be estimated.
    ///
    /// The normal (not Student t) quantile follows Miller 2024 and matches statsmodels' default
    /// `conf_int()` for cluster-robust covariances.
    package static func normal<Cluster: Hashable>(
        _ values: [Double], clusters: [Cluster]?, level: Double = ConfidenceLevel.standard
    ) throws(StatisticsError) -> MeanInterval {
        let z = try ConfidenceLevel.criticalValue(level)
        let standardError: Double
        let clusterCount: Int
        if let clusters {
            standardError = try StandardError.clusterRobust(values, clusters: clusters)
            clusterCount = Set(clusters).count
        } else {
            standardError = try StandardError.ofMean(values)
            clusterCount = values.count
        }
        let mean = values.reduce(0, +) / Double(values.count)
        return MeanInterval(
            estimate: mean, standardError: standardError, low: mean - z * standardError,
            high: mean + z * standardError, level: level, method: clusters == nil ? .normal : .clusterRobust,
            observations: values.count, clusters: clusterCount)
    }

    /// The interval for the mean of independent `values`.
    package static func normal(_ values: [Double], level: Double = ConfidenceLevel.standard)
        throws(StatisticsError) -> MeanInterval
    {
        try normal(values, clusters: [Int]?.none, level: level)
    }

    /// The interval for the mean paired difference `a[i] - b[i]` of two targets' scores on the
    /// same cases (Miller 2024's paired differences): pairing removes the variation in question
    /// difficulty that both targets share, so when their scores are correlated, as they usually
    /// are, the interval is narrower than two separate intervals would suggest.
    package static func pairedDifference<Cluster: Hashable>(
        _ a: [Double], _ b: [Double], clusters: [Cluster]?, level: Double = ConfidenceLevel.standard
    ) throws(StatisticsError) -> MeanInterval {
        guard b.count == a.count else { throw .lengthMismatch("scores of b", expected: a.count, actual: b.count) }
        return try normal(zip(a, b).map { $0 - $1 }, clusters: clusters, level: level)
    }
}
