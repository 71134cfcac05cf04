import Foundation

/// The standard normal distribution N(0, 1): its cumulative distribution function and its
/// inverse, the quantile function (`scipy.stats.norm.cdf` and `norm.ppf`).
package enum StandardNormal {
    /// P(Z ≤ x), through the complementary error function so that the lower tail keeps its
    /// relative precision far from the mean (Φ(-30) ≈ 4.9e-198, not 0).
    package static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The x with P(Z ≤ x) = p: -∞ at 0, +∞ at 1, NaN outside [0, 1] (as scipy).
    ///
    /// Acklam's rational approximations (relative error below 1.15e-9) give a first estimate,
    /// which one step of Halley's method against ``cdf(_:)`` refines to full double precision.
    /// The work is done in the lower tail, where `p` is exact, and mirrored for p > 0.5.
    package static func quantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// The quantile of `p` in (0, 0.5].
    private static func lowerQuantile(_ p: Double) -> Double {
        let estimate = p < Acklam.tailBreak ? Acklam.tail(p) : Acklam.central(p)
        // Halley's step on f(x) = cdf(x) - p, whose derivative is the density φ(x).
        let error = cdf(estimate) - p
        let ratio = error * (2 * Double.pi).squareRoot() * exp(estimate * estimate / 2)
        guard ratio.isFinite else { return estimate }  // p is subnormal: the estimate is all we have
        return estimate - ratio / (1 + estimate * ratio / 2)
    }

    /// Peter J. Acklam's algorithm for the normal quantile (2003): one rational function in the
    /// central region and one in sqrt(-2 log p) in the tails; the coefficients are his.
    private enum Acklam {
        static let tailBreak = 0.02425
        static let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        static let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01,
        ]
        static let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
        ]
        static let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]

        /// p in [tailBreak, 0.5].
        static func central(_ p: Double) -> Double {
            let q = p - 0.5
            let r = q * q
            return horner(a, r) * q / (horner(b, r) * r + 1)
        }

        /// p in (0, tailBreak).
        static func tail(_ p: Double) -> Double {
            let q = (-2 * log(p)).squareRoot()
            return horner(c, q) / (horner(d, q) * q + 1)
        }

        /// c[0] x^(n-1) + ... + c[n-1].
        static func horner(_ coefficients: [Double], _ x: Double) -> Double {
            coefficients.reduce(0) { $0 * x + $1 }
        }
    }
}
