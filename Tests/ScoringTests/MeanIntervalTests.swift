import Testing

@testable import Scoring

@Suite("Mean intervals and cluster-robust standard errors")
struct MeanIntervalTests {
    @Test("the clustered standard error sums residuals within clusters, with the G/(G-1) correction")
    func handComputed() throws {
        // Mean 0.7; residual sums per cluster -0.4, 0.3, 0.1; 3/2 · 0.26 = 0.39; sqrt(0.39) / 5.
        let se = try StandardError.clusterRobust([1, 0, 1, 1, 0.5], clusters: ["a", "a", "b", "c", "c"])
        #expect(abs(se - 0.39.squareRoot() / 5) <= 1e-15)
        // s² = 0.8 / 4, so s / sqrt(5) = 0.2.
        #expect(abs(try StandardError.ofMean([1, 0, 1, 1, 0.5]) - 0.2) <= 1e-15)
    }

    @Test("with every case in its own cluster it is the ordinary standard error")
    func singletons() throws {
        let (values, _) = StatisticsCases.scores(40, clusterSize: 4, seed: 9)
        let clustered = try StandardError.clusterRobust(values, clusters: Array(values.indices))
        #expect(abs(clustered - (try StandardError.ofMean(values))) <= 1e-15)
    }

    @Test("correlated clusters widen the interval; repeats of one case do not count as new evidence")
    func clusteringWidens() throws {
        let (values, clusters) = StatisticsCases.scores(200, clusterSize: 10, seed: 7, spread: 0.4)
        let naive = try MeanInterval.normal(values)
        let robust = try MeanInterval.normal(values, clusters: clusters)
        #expect(robust.standardError > 2 * naive.standardError)
        #expect(robust.clusters == 20 && robust.observations == 200 && robust.method == .clusterRobust)
        #expect(naive.clusters == 200 && naive.method == .normal)
        // One case repeated 5 times with identical scores: the repeats add nothing.
        let once = try MeanInterval.normal([0.2, 0.9, 0.4])
        let repeated = try MeanInterval.normal(
            [0.2, 0.9, 0.4].flatMap { Array(repeating: $0, count: 5) }, clusters: (0..<15).map { $0 / 5 })
        #expect(abs(repeated.standardError / once.standardError - 1) <= 1e-12)
    }

    @Test("the interval is the estimate ± z standard errors at the requested level")
    func bounds() throws {
        let interval = try MeanInterval.normal([0, 1], level: 0.95)
        #expect(interval.estimate == 0.5 && interval.standardError == 0.5)
        #expect(abs(interval.low - (0.5 - 1.959963984540054 * 0.5)) <= 1e-15)
        #expect(abs(interval.high - (0.5 + 1.959963984540054 * 0.5)) <= 1e-15)
        let flat = try MeanInterval.normal(Array(repeating: 0.75, count: 4))
        #expect(flat.low == 0.75 && flat.high == 0.75 && flat.standardError == 0)
    }

    @Test("what cannot carry a standard error is refused with a reason")
    func refusals() {
        #expect(throws: StatisticsError.noObservations) { try MeanInterval.normal([]) }
        #expect(throws: StatisticsError.tooFewObservations(1)) { try MeanInterval.normal([0.5]) }
        #expect(throws: StatisticsError.tooFewClusters(1)) {
            try MeanInterval.normal([0.5, 0.7, 0.1], clusters: ["x", "x", "x"])
        }
        #expect(throws: StatisticsError.lengthMismatch("clusters", expected: 3, actual: 2)) {
            try MeanInterval.normal([0.5, 0.7, 0.1], clusters: ["x", "y"])
        }
        #expect(throws: StatisticsError.nonFiniteValue(index: 1)) { try MeanInterval.normal([0.5, .nan, 0.1]) }
        #expect(throws: StatisticsError.lengthMismatch("scores of b", expected: 2, actual: 1)) {
            try MeanInterval.pairedDifference([0.5, 0.7], [0.1], clusters: [Int]?.none)
        }
        #expect(
            StatisticsError.tooFewClusters(1).description
                == "a cluster-robust standard error needs at least 2 clusters, got 1")
    }

    @Test("the paired difference is the interval of the per-case differences")
    func pairedDifference() throws {
        let a = [0.9, 0.8, 0.7, 0.95, 0.6]
        let b = [0.7, 0.75, 0.5, 0.9, 0.65]
        let paired = try MeanInterval.pairedDifference(a, b, clusters: [Int]?.none)
        let direct = try MeanInterval.normal(zip(a, b).map { $0 - $1 })
        #expect(paired == direct)
        #expect(
            paired.json == [
                "low": .number(paired.low), "high": .number(paired.high), "level": 0.95, "method": "normal",
            ])
    }
}
