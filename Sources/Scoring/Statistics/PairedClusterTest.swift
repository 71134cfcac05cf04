/// The paired comparison of two targets when every case ran several times (`spec.repeats` > 1):
/// the unit is the case, not the (case, repeat). A case's repeats share its difficulty, so they
/// are not independent pairs; treating them as such (McNemar on every repeat) would count one
/// hard question N times and make the p-value far too small.
///
/// Each case i contributes the difference of its pass fractions, d_i = f_a(i) - f_b(i) (passed
/// repeats over recorded repeats on each side; the sides may have run different numbers of
/// repeats). The estimate is the mean of d over cases, its standard error the cluster-robust one
/// of ``StandardError/clusterRobust(_:clusters:)`` with each case a cluster of its own, or the
/// dataset `cluster` its cases share (Miller 2024, "Adding Error Bars to Evals", section 4 on
/// paired differences, with clustering as in its section 3). With every case its own cluster the
/// standard error is sd(d)/√n, the paired t statistic d̄/SE of `scipy.stats.ttest_rel`; the
/// p-value and interval use the normal quantile, as Miller 2024 and statsmodels'
/// cluster-robust `conf_int()` do.
///
/// Where the normal statistic is undefined the test says what the data can say:
/// - fewer than two clusters (one case): nothing about cases in general, so p = 1 and the
///   interval is [-1, 1];
/// - a standard error of 0 (every cluster moved by the same amount; below ``noSpread``): no difference gives p = 1
///   and the point interval; a common non-zero difference gives the exact sign test over the
///   clusters (all G of them in one direction: two-sided p = 2 · 2^-G), the p-value McNemar's
///   test gives when every case is discordant the same way.
package struct PairedClusterTest: Sendable, Equatable {
    /// A standard error at most this is rounding in a mean of equal differences, taken as 0: per-case
    /// fractions are multiples of 1/repeats, so a real one exceeds 1e-9 for any run that fits in
    /// memory. (Our choice.)
    static let noSpread = 1e-12

    /// mean(d): passRate(a) - passRate(b) with every case weighted once.
    package var estimate: Double
    package var standardError: Double
    package var interval: DifferenceInterval
    /// Two-sided: could the per-case pass fractions be equal on average?
    package var pValue: Double
    /// One-sided: is b worse than a (mean(d) > 0)?
    package var pValueBWorse: Double
    /// Independent units the test is over: clusters (cases, or dataset clusters).
    package var clusters: Int

    /// The test over `differences` (one per case), with `clusters` one label per case.
    package init<Cluster: Hashable>(differences: [Double], clusters labels: [Cluster], level: Double)
        throws(StatisticsError)
    {
        let z = try ConfidenceLevel.criticalValue(level)
        guard !differences.isEmpty else { throw .noObservations }
        guard labels.count == differences.count else {
            throw .lengthMismatch("clusters", expected: differences.count, actual: labels.count)
        }
        let n = Double(differences.count)
        estimate = differences.reduce(0, +) / n
        clusters = Set(labels).count
        guard clusters >= 2 else {
            standardError = .infinity
            interval = DifferenceInterval(low: -1, high: 1, level: level, method: .pairedCluster)
            pValue = 1
            pValueBWorse = 1
            return
        }
        let spread = try StandardError.clusterRobust(differences, clusters: labels)
        standardError = spread > Self.noSpread ? spread : 0
        if standardError > 0 {
            let statistic = estimate / standardError
            pValue = min(1, 2 * StandardNormal.cdf(-abs(statistic)))
            pValueBWorse = StandardNormal.cdf(-statistic)
        } else if estimate == 0 {
            pValue = 1
            pValueBWorse = 1
        } else {
            let signs = McNemarTest(onlyA: estimate > 0 ? clusters : 0, onlyB: estimate < 0 ? clusters : 0)
            pValue = signs.pValue
            pValueBWorse = signs.pValueBWorse
        }
        interval = DifferenceInterval(
            low: max(-1, estimate - z * standardError), high: min(1, estimate + z * standardError), level: level,
            method: .pairedCluster)
    }
}
