import Foundation
import Testing

@testable import Scoring

@Suite("Standard normal distribution")
struct StandardNormalTests {
    @Test("critical values are scipy's norm.isf((1 - level) / 2) to within two ulps")
    func criticalValue() throws {
        #expect(abs(try ConfidenceLevel.criticalValue(0.95) - 1.959963984540054) <= 5e-16)
        #expect(abs(try ConfidenceLevel.criticalValue(0.99) - 2.5758293035489004) <= 9e-16)
        #expect(ConfidenceLevel.standard == 0.95)
    }

    @Test("confidence levels outside (0, 1) are refused", arguments: [0, 1, -0.5, 1.5, 95, Double.nan])
    func invalidLevels(level: Double) {
        #expect(throws: StatisticsError.self) { try ConfidenceLevel.criticalValue(level) }
        #expect(throws: StatisticsError.self) { try ProportionInterval.wilson(successes: 1, trials: 2, level: level) }
    }

    @Test("the quantile is -∞ at 0, +∞ at 1 and NaN outside [0, 1]")
    func quantileEdges() {
        #expect(StandardNormal.quantile(0) == -.infinity)
        #expect(StandardNormal.quantile(1) == .infinity)
        #expect(StandardNormal.quantile(-0.1).isNaN)
        #expect(StandardNormal.quantile(1.1).isNaN)
        #expect(StandardNormal.quantile(.nan).isNaN)
        #expect(StandardNormal.quantile(0.5) == 0)
        #expect(StandardNormal.quantile(0x1p-1074).isFinite)  // the smallest subnormal: Acklam's estimate alone
    }

    @Test("the quantile inverts the CDF and is symmetric about 0.5")
    func quantileInvertsCDF() {
        for p in stride(from: 0.001, to: 1, by: 0.001) {
            let x = StandardNormal.quantile(p)
            #expect(abs(StandardNormal.cdf(x) - p) <= 4 * p.ulp + 1e-16, "p = \(p)")
            #expect(abs(x + StandardNormal.quantile(1 - p)) <= 1e-13 * max(1, abs(x)), "p = \(p)")
        }
    }

    @Test("the CDF keeps relative precision in the lower tail")
    func cdfTail() {
        #expect(StandardNormal.cdf(0) == 0.5)
        #expect(StandardNormal.cdf(-37) > 5e-300 && StandardNormal.cdf(-37) < 6e-300)
        #expect(StandardNormal.cdf(-39) == 0)  // 1.4e-333 is below the smallest subnormal
        #expect(StandardNormal.cdf(40) == 1)
    }
}
