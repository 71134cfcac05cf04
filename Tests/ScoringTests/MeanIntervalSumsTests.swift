import Testing

@testable import Scoring

/// The intervals a run's counters give (sums, not values) are the ones its values give.
@Suite("Mean intervals from sums")
struct MeanIntervalSumsTests {
    @Test("from count, sum and sum of squares: the values' normal interval", arguments: [2, 3, 40, 1000])
    func fromSums(count: Int) throws {
        let (values, _) = StatisticsCases.scores(count, clusterSize: 1, seed: UInt64(count))
        let expected = try MeanInterval.normal(values)
        let summed = try MeanInterval.normal(
            count: values.count, sum: values.reduce(0, +), sumOfSquares: values.reduce(0) { $0 + $1 * $1 })
        #expect(abs(summed.estimate - expected.estimate) <= 1e-12)
        #expect(abs(summed.standardError - expected.standardError) <= 1e-12)
        #expect(abs(summed.low - expected.low) <= 1e-12 && abs(summed.high - expected.high) <= 1e-12)
        #expect(summed.method == .normal && summed.observations == count && summed.clusters == count)
    }

    @Test("from each cluster's count and sum: the values' cluster-robust interval")
    func fromClusterSums() throws {
        let (values, clusters) = StatisticsCases.scores(120, clusterSize: 3, seed: 11, spread: 0.3)
        let expected = try MeanInterval.normal(values, clusters: clusters)
        var sums: [String: (count: Int, sum: Double)] = [:]
        for (value, cluster) in zip(values, clusters) {
            sums[cluster, default: (0, 0)].count += 1
            sums[cluster, default: (0, 0)].sum += value
        }
        let summed = try MeanInterval.clustered(sums.keys.sorted().map { sums[$0]! })
        #expect(abs(summed.estimate - expected.estimate) <= 1e-12)
        #expect(abs(summed.standardError - expected.standardError) <= 1e-12)
        #expect(summed.method == .clusterRobust && summed.clusters == 40 && summed.observations == 120)
    }

    @Test("too few values or clusters, and no values, are refused as the value-based forms refuse them")
    func refusals() {
        #expect(throws: StatisticsError.noObservations) {
            try MeanInterval.normal(count: 0, sum: 0, sumOfSquares: 0)
        }
        #expect(throws: StatisticsError.tooFewObservations(1)) {
            try MeanInterval.normal(count: 1, sum: 0.5, sumOfSquares: 0.25)
        }
        #expect(throws: StatisticsError.tooFewClusters(1)) { try MeanInterval.clustered([(3, 2), (0, 0)]) }
        // Every value equal: no spread, a zero-width interval rather than a negative variance.
        let flat = try? MeanInterval.normal(count: 4, sum: 2, sumOfSquares: 1)
        #expect(flat?.standardError == 0)
    }
}
