import Foundation
import Testing

@testable import Scoring

@Suite("Binomial distribution")
struct BinomialDistributionTests {
    /// Loader's form goes through logarithms of factorials of order 10: a few ulps, not exact.
    @Test("small cases agree with the exact fractions: P(X ≤ 3) of Binomial(10, 1/2) is 176/1024")
    func exactFractions() {
        let fair = BinomialDistribution(trials: 10, probability: 0.5)
        #expect(abs(fair.atMost(3) - 176.0 / 1024) <= 1e-15)
        #expect(abs(fair.atLeast(8) - 56.0 / 1024) <= 1e-15)
        #expect(abs(fair.probability(of: 5) - 252.0 / 1024) <= 1e-15)
        let one = BinomialDistribution(trials: 1, probability: 0.3)
        #expect(abs(one.probability(of: 0) - 0.7) <= 1e-15 && abs(one.probability(of: 1) - 0.3) <= 1e-15)
    }

    @Test("the two tails meet: P(X ≤ k) + P(X ≥ k + 1) = 1, and the probabilities sum to 1")
    func tailsComplement() {
        for (n, p) in [(50, 0.5), (73, 0.2), (1000, 0.97), (1, 0.5)] {
            let distribution = BinomialDistribution(trials: n, probability: p)
            for k in -1...(n + 1) {
                #expect(abs(distribution.atMost(k) + distribution.atLeast(k + 1) - 1) <= 1e-14, "n \(n) p \(p) k \(k)")
            }
            let total = (0...n).reduce(0.0) { $0 + distribution.probability(of: $1) }
            #expect(abs(total - 1) <= 1e-13, "n \(n) p \(p)")
        }
    }

    @Test("out-of-range counts and certain outcomes give 0 and 1")
    func edges() {
        let distribution = BinomialDistribution(trials: 20, probability: 0.4)
        #expect(distribution.atMost(-1) == 0 && distribution.atMost(20) == 1 && distribution.atMost(99) == 1)
        #expect(distribution.atLeast(0) == 1 && distribution.atLeast(21) == 0)
        #expect(distribution.probability(of: -1) == 0 && distribution.probability(of: 21) == 0)
        let never = BinomialDistribution(trials: 20, probability: 0)
        #expect(never.atMost(0) == 1 && never.atLeast(1) == 0 && never.probability(of: 0) == 1)
        let always = BinomialDistribution(trials: 20, probability: 1)
        #expect(always.atLeast(20) == 1 && always.atMost(19) == 0)
        let none = BinomialDistribution(trials: 0, probability: 0.5)
        #expect(none.atMost(0) == 1 && none.atLeast(0) == 1 && none.atLeast(1) == 0)
    }

    @Test("far tails of a million trials are tiny but not 0, and e^-1 appears where it should")
    func largeTrials() {
        let rare = BinomialDistribution(trials: 1_000_000, probability: 1e-6)
        #expect(abs(rare.atMost(0) - exp(1_000_000 * log1p(-1e-6))) <= 1e-15)
        #expect(abs(rare.atMost(0) - exp(-1)) <= 1e-6)
        let fair = BinomialDistribution(trials: 1000, probability: 0.5)
        #expect(fair.atMost(100) > 1e-170 && fair.atMost(100) < 1e-150)
        // Stirling's series and log-gamma agree where they meet (n = 15 / 16).
        #expect(
            abs(BinomialDistribution.stirlingError(16) - (lgamma(17) - 16.5 * log(16) + 16 - 0.5 * log(2 * Double.pi)))
                <= 1e-14)
    }
}
