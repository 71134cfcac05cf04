import Scoring
import Testing

@testable import Suites

/// The clustered pass-rate interval never collapses to a point where the clusters show no spread.
@Suite("Clustered pass-rate intervals")
struct CaseTallyIntervalTests {
    static func tallies(_ passes: [Int], of results: Int) -> [CaseTally] {
        passes.enumerated().map {
            CaseTally(caseID: "c\($0.offset)", results: results, passed: $0.element, scoreSum: 0)
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var passes: [Int]
        var results: Int
        /// Wilson's bounds over the clusters' count, at 95%.
        var low: Double
        var high: Double
        var testDescription: String { label }
    }

    // Wilson at 95% for 30 of 30, 0 of 30 and 20 of 30 trials (statsmodels' proportion_confint).
    @Test(
        "with no spread between clusters the bounds are Wilson's over the clusters' count, never a point",
        arguments: [
            Row(
                label: "30 cases passing all 3 repeats", passes: Array(repeating: 3, count: 30), results: 3,
                low: 0.8864866, high: 1),
            Row(
                label: "30 cases failing all 3 repeats", passes: Array(repeating: 0, count: 30), results: 3,
                low: 0, high: 0.1135134),
            Row(
                label: "30 cases each passing 2 of 3", passes: Array(repeating: 2, count: 30), results: 3,
                low: 0.4878005, high: 0.8076950),
        ])
    func noSpread(row: Row) throws {
        let interval = try #require(CaseTally.passRateInterval(Self.tallies(row.passes, of: row.results), level: 0.95))
        #expect(abs(interval.low - row.low) < 1e-6, "low \(interval.low)")
        #expect(abs(interval.high - row.high) < 1e-6, "high \(interval.high)")
        #expect(interval.high > interval.low)
    }

    @Test("with spread between clusters the interval is the cluster-robust normal one, unchanged")
    func withSpread() throws {
        let tallies = Self.tallies([3, 2, 0, 1, 3, 3, 2, 0], of: 3)
        let interval = try #require(CaseTally.passRateInterval(tallies, level: 0.95))
        let normal = try MeanInterval.clustered(tallies.map { ($0.results, Double($0.passed)) }, level: 0.95)
        #expect(interval.low == max(0, normal.low) && interval.high == min(1, normal.high))
        #expect(interval.standardError > 0)
    }
}
