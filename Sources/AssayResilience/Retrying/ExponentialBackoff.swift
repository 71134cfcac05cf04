/// Delays that double with each attempt up to a cap, with "full jitter": a uniformly random delay
/// between zero and the exponential ceiling (Marc Brooker, "Exponential Backoff And Jitter", AWS
/// Architecture Blog, 2015). Full jitter spreads retrying clients so they do not hit a recovering
/// server in waves.
public struct ExponentialBackoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) throws(ResilienceError) {
        guard base > .zero else { throw .invalidConfiguration(field: "backoff.base", reason: "must be positive") }
        guard cap >= base else {
            throw .invalidConfiguration(field: "backoff.cap", reason: "must be at least the base (\(base)), got \(cap)")
        }
        self.base = base
        self.cap = cap
    }

    /// `min(cap, base * 2^(attempt - 1))`; `attempt` counts from 1.
    public func ceiling(attempt: Int) -> Duration {
        let doublings = max(0, attempt - 1)
        // Past 2^40 the product overflows any sensible cap anyway.
        guard doublings < 40 else { return cap }
        let exponential = base * (1 << doublings)
        return min(cap, exponential)
    }

    /// A delay uniformly in `[0, ceiling(attempt))`; `random` is a sample in `[0, 1)`.
    public func fullJitter(attempt: Int, random: Double) -> Duration {
        ceiling(attempt: attempt) * min(max(random, 0), 1)
    }

    /// "Equal jitter": half the ceiling plus `random` (a sample in `[0, 1)`) of the other half, so
    /// clients retrying together spread out while no wait is near zero (no busy loop).
    public func equalJitter(attempt: Int, random: Double) -> Duration {
        let ceiling = ceiling(attempt: attempt)
        return ceiling / 2 + ceiling / 2 * min(max(random, 0), 1)
    }
}
