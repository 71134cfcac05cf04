/// The generic cell rate algorithm (ITU-T I.371) for one limit: a token bucket stored as a single
/// timestamp, the theoretical arrival time (TAT) at which the bucket would be full again. The one
/// rate-limit arithmetic of the code base: provider limits in process (and, as the same Lua, in
/// Redis: `TokenBucketScript`), the Kubernetes client's request limit and the reconcile queue's
/// retry limit.
///
/// A request of `n` units at `t` conforms once `max(TAT, t) + n * interval - burst * interval <= t`.
/// Reserving moves the TAT forward even when the request must wait, so waiters are served in the
/// order they reserved.
public struct GCRA: Sendable, Hashable {
    /// Time per unit: the inverse of the rate.
    public let interval: Duration
    /// Units admitted at once from idle.
    public let burst: Int
    public private(set) var tat: ContinuousClock.Instant?

    public init(interval: Duration, burst: Int) {
        self.interval = interval
        self.burst = burst
    }

    /// `perSecond` units a second, `burst` at once (at least 1).
    public init(perSecond: Double, burst: Int) {
        self.init(interval: .seconds(1) / perSecond, burst: max(1, burst))
    }

    /// How long a request of `units` arriving at `now` must wait to conform (zero if it conforms).
    public func wait(units: Int, now: ContinuousClock.Instant) -> Duration {
        guard units > 0 else { return .zero }
        let start = max(tat ?? now, now)
        let conformsAt = start + interval * units - interval * burst
        return max(.zero, conformsAt - now)
    }

    /// Takes `units` for a request served at `arrival` (now plus its wait).
    public mutating func reserve(units: Int, at arrival: ContinuousClock.Instant) {
        guard units > 0 else { return }
        tat = max(tat ?? arrival, arrival) + interval * units
    }

    /// Reserves `units` at `now` whatever the wait, and returns the wait: the caller sleeps it
    /// then proceeds (a client's request limit, a queue's retry limit).
    public mutating func take(units: Int = 1, now: ContinuousClock.Instant) -> Duration {
        let wait = wait(units: units, now: now)
        reserve(units: units, at: now + wait)
        return wait
    }

    /// Continues from another bucket's state: its TAT (on this process's clock), when later than
    /// this one's. A bucket that takes over from another this way admits no burst the other had
    /// already used.
    public mutating func takeOver(from other: ContinuousClock.Instant?) {
        guard let other else { return }
        tat = max(tat ?? other, other)
    }

    /// Charges (`units > 0`) or refunds (`units < 0`) after the fact; a refund never fills the
    /// bucket beyond full.
    public mutating func adjust(units: Int, now: ContinuousClock.Instant) {
        guard units != 0 else { return }
        tat = max(max(tat ?? now, now) + interval * units, now)
    }
}
