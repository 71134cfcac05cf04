import Foundation

/// The binomial distribution: the number of successes in `trials` independent trials that each
/// succeed with `probability`. Exact tails for any number of trials, as `scipy.stats.binom`.
///
/// Each probability is computed with Loader's saddle-point form (C. Loader, "Fast and Accurate
/// Computation of Binomial Probabilities", 2000), which keeps full relative precision where the
/// naive log-gamma difference loses digits to cancellation (log C(10⁶, k) is near 7·10⁵). A tail
/// is the sum of its terms from the given count outwards, by the ratio of consecutive
/// probabilities; the tail that is summed is always the one away from the mean, so it never
/// cancels against 1.
package struct BinomialDistribution: Sendable, Equatable {
    package let trials: Int
    package let probability: Double

    /// `trials` ≥ 0 and `probability` in [0, 1].
    package init(trials: Int, probability: Double) {
        precondition(trials >= 0, "trials must not be negative")
        precondition(probability >= 0 && probability <= 1, "probability must be in [0, 1]")
        self.trials = trials
        self.probability = probability
    }

    /// P(X = k).
    package func probability(of k: Int) -> Double {
        guard k >= 0, k <= trials else { return 0 }
        let n = Double(trials)
        let p = probability
        let q = 1 - p
        if p == 0 { return k == 0 ? 1 : 0 }
        if q == 0 { return k == trials ? 1 : 0 }
        if k == 0 { return exp(n * log1p(-p)) }
        if k == trials { return exp(n * log(p)) }
        let x = Double(k)
        let exponent =
            Self.stirlingError(trials) - Self.stirlingError(k) - Self.stirlingError(trials - k)
            - Self.deviance(x, n * p) - Self.deviance(n - x, n * q)
        return exp(exponent) * (n / (2 * Double.pi * x * (n - x))).squareRoot()
    }

    /// P(X ≤ k), as `binom.cdf(k, n, p)`.
    package func atMost(_ k: Int) -> Double {
        if k < 0 { return 0 }
        if k >= trials { return 1 }
        if Double(k) <= mean { return sumDownwards(from: k) }
        return 1 - sumUpwards(from: k + 1)
    }

    /// P(X ≥ k), as `binom.sf(k - 1, n, p)`.
    package func atLeast(_ k: Int) -> Double {
        if k <= 0 { return 1 }
        if k > trials { return 0 }
        if Double(k) >= mean { return sumUpwards(from: k) }
        return 1 - sumDownwards(from: k - 1)
    }

    package var mean: Double { Double(trials) * probability }

    /// Terms smaller than this share of the running sum no longer change it.
    private static let negligible = 0x1p-60

    /// P(X ≤ k) for k at or below the mean, where each term going down is smaller than the last.
    private func sumDownwards(from k: Int) -> Double {
        var term = probability(of: k)
        var sum = term
        let odds = (1 - probability) / probability
        var j = k
        while j > 0, term > sum * Self.negligible {
            term *= Double(j) / Double(trials - j + 1) * odds
            sum += term
            j -= 1
        }
        return min(sum, 1)
    }

    /// P(X ≥ k) for k at or above the mean, where each term going up is smaller than the last.
    private func sumUpwards(from k: Int) -> Double {
        var term = probability(of: k)
        var sum = term
        let odds = probability / (1 - probability)
        var j = k
        while j < trials, term > sum * Self.negligible {
            term *= Double(trials - j) / Double(j + 1) * odds
            sum += term
            j += 1
        }
        return min(sum, 1)
    }

    /// log(n!) - log(sqrt(2πn) (n/e)^n), the error of Stirling's formula. From log-gamma for small
    /// n (where no digits cancel), from the Stirling series beyond (terms to n⁻⁹, under 1e-16).
    static func stirlingError(_ count: Int) -> Double {
        let n = Double(count)
        if count <= 15 {
            return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * Double.pi)
        }
        let nn = n * n
        return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / 1188 / nn) / nn) / nn) / nn) / n
    }

    /// x log(x / m) + m - x, the deviance term; a series in (x - m) / (x + m) when x is near m,
    /// where the closed form would cancel.
    static func deviance(_ x: Double, _ m: Double) -> Double {
        guard abs(x - m) < 0.1 * (x + m) else { return x * log(x / m) + m - x }
        let v = (x - m) / (x + m)
        var sum = (x - m) * v
        var power = 2 * x * v
        let v2 = v * v
        var j = 1.0
        while true {
            power *= v2
            let next = sum + power / (2 * j + 1)
            if next == sum { return sum }
            sum = next
            j += 1
        }
    }
}
