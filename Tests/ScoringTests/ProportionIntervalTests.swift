import Testing

@testable import Scoring

@Suite("Wilson score interval")
struct ProportionIntervalTests {
    /// Newcombe's worked examples of the Wilson interval ("Two-sided confidence intervals for the
    /// single proportion: comparison of seven methods", Statistics in Medicine 17:857–872, 1998),
    /// printed to 4 decimals.
    @Test(
        "Newcombe's published examples",
        arguments: [
            (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
        ])
    func published(successes: Int, trials: Int, low: Double, high: Double) throws {
        let interval = try ProportionInterval.wilson(successes: successes, trials: trials)
        #expect(abs(interval.low - low) <= 0.00005 && abs(interval.high - high) <= 0.00005, "\(interval)")
    }

    @Test("0 of n starts at exactly 0, n of n ends at exactly 1, and neither collapses to a point")
    func edges() throws {
        for n in [1, 2, 20, 1000, 1_000_000] {
            let none = try ProportionInterval.wilson(successes: 0, trials: n)
            let all = try ProportionInterval.wilson(successes: n, trials: n)
            #expect(none.low == 0 && none.high > 0 && none.high < 1, "0 of \(n)")
            #expect(all.high == 1 && all.low < 1 && all.low > 0, "\(n) of \(n)")
            #expect(abs(none.high - (1 - all.low)) <= 1e-15, "0 of \(n) mirrors \(n) of \(n)")
        }
        let single = try ProportionInterval.wilson(successes: 1, trials: 1)
        #expect(abs(single.low - 0.2065493143772374) <= 1e-15 && single.high == 1)
    }

    @Test("zero trials and impossible counts are refused with a reason")
    func refusals() {
        #expect(throws: StatisticsError.noObservations) { try ProportionInterval.wilson(successes: 0, trials: 0) }
        #expect(throws: StatisticsError.countOutOfRange(successes: 3, trials: 2)) {
            try ProportionInterval.wilson(successes: 3, trials: 2)
        }
        #expect(throws: StatisticsError.countOutOfRange(successes: -1, trials: 2)) {
            try ProportionInterval.wilson(successes: -1, trials: 2)
        }
        #expect(StatisticsError.noObservations.description.contains("no cases"))
    }

    @Test("a higher level gives a wider interval around the same rate")
    func levels() throws {
        let narrow = try ProportionInterval.wilson(successes: 87, trials: 100, level: 0.8)
        let standard = try ProportionInterval.wilson(successes: 87, trials: 100)
        let wide = try ProportionInterval.wilson(successes: 87, trials: 100, level: 0.999)
        #expect(wide.low < standard.low && standard.low < narrow.low && narrow.low < 0.87)
        #expect(0.87 < narrow.high && narrow.high < standard.high && standard.high < wide.high)
    }

    @Test("it serializes as the report's passRateInterval")
    func json() throws {
        let interval = try ProportionInterval.wilson(successes: 87, trials: 100)
        #expect(interval.json["method"] == "wilson" && interval.json["level"] == 0.95)
        #expect(
            interval.json["low"]?.doubleValue == interval.low && interval.json["high"]?.doubleValue == interval.high)
    }
}
