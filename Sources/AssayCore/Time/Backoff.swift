/// Delays that double with each attempt from `base` up to `cap`, with a choice of jitter. The one
/// backoff of the code base: retries of provider calls, Redis probes, the watcher, the reconcile
/// queue, the suite worker and the operator's progress reads all use it.
///
/// ```swift
/// let backoff = Backoff(base: .milliseconds(500), cap: .seconds(8), jitter: .full)
/// let wait = backoff.delay(attempt: 2, random: .random(in: 0..<1))   // in [0, 1 s)
/// ```
public struct Backoff: Sendable, Hashable {
    /// How a delay is spread around the exponential ceiling, so clients that failed together do
    /// not retry together.
    public enum Jitter: Sendable, Hashable {
        /// The ceiling itself.
        case none
        /// Uniform in `[0, ceiling)`: Marc Brooker's "full jitter" ("Exponential Backoff And
        /// Jitter", AWS Architecture Blog, 2015); spreads retries the most.
        case full
        /// Half the ceiling plus a uniform share of the other half, so no wait is near zero (no
        /// busy loop) while retries still spread ("equal jitter", same article).
        case equal
        /// The ceiling plus up to `fraction` of it more, never above the cap: client-go's
        /// `wait.Jitter`, which its reflector uses with 1.0.
        case proportional(Double)
    }

    /// A base or cap that cannot make a backoff.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let field: String
        public let reason: String

        public var description: String { "invalid backoff: \(field) \(reason)" }
    }

    public let base: Duration
    public let cap: Duration
    public let jitter: Jitter

    public init(base: Duration, cap: Duration, jitter: Jitter = .none) throws(Invalid) {
        guard base > .zero else { throw Invalid(field: "base", reason: "must be positive, got \(base)") }
        guard cap >= base else {
            throw Invalid(field: "cap", reason: "must be at least the base (\(base)), got \(cap)")
        }
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// `min(cap, base * 2^(attempt - 1))`; `attempt` counts from 1.
    public func ceiling(attempt: Int) -> Duration {
        let doublings = max(0, attempt - 1)
        // Past 2^40 the product overflows any sensible cap anyway.
        guard doublings < 40 else { return cap }
        return min(cap, base * (1 << doublings))
    }

    /// The wait before retry `attempt` (from 1); `random` is a sample in `[0, 1)` for the jitter.
    public func delay(attempt: Int, random: Double) -> Duration {
        let ceiling = ceiling(attempt: attempt)
        let sample = min(max(random, 0), 1)
        switch jitter {
        case .none: return ceiling
        case .full: return ceiling * sample
        case .equal: return ceiling / 2 + ceiling / 2 * sample
        case .proportional(let fraction): return min(ceiling + ceiling * (fraction * sample), cap)
        }
    }
}

/// The attempts of one thing being retried with a ``Backoff``: each failure is the next attempt,
/// a success starts over, and so does a failure after `resetAfter` without one (client-go's
/// reflector forgets its backoff after two quiet minutes).
public struct BackoffCounter: Sendable, Hashable {
    public let backoff: Backoff
    /// Quiet time after which the next failure counts as the first again; `nil`: never.
    public let resetAfter: Duration?
    /// Failures counted so far (0 after a reset).
    public private(set) var attempt = 0
    public private(set) var lastFailure: ContinuousClock.Instant?

    public init(_ backoff: Backoff, resetAfter: Duration? = nil) {
        self.backoff = backoff
        self.resetAfter = resetAfter
    }

    /// Counts a failure at `now` and returns the wait before the next try.
    public mutating func next(at now: ContinuousClock.Instant, random: Double) -> Duration {
        if let resetAfter, let lastFailure, now - lastFailure >= resetAfter { attempt = 0 }
        attempt += 1
        lastFailure = now
        return backoff.delay(attempt: attempt, random: random)
    }

    /// A success: the next failure is the first again.
    public mutating func reset() {
        attempt = 0
        lastFailure = nil
    }
}
