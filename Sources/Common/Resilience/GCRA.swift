/// The generic cell rate algorithm (ITU-T I.371) for one limit: a token bucket stored as a single
/// timestamp, the theoretical arrival time (TAT) at which the bucket would be full again.
///
/// A request of `n` units at `t` conforms once `max(TAT, t) + n * interval - burst * interval <= t`.
/// Reserving moves the TAT forward even when the request must wait, so waiters are served in the
/// order they reserved. ``TokenBucketScript`` runs the same arithmetic inside Redis; this copy
/// enforces the limit in-process when Redis is unreachable.
struct GCRA: Sendable, Equatable {
    let interval: Duration
    let burst: Int
    private(set) var tat: ContinuousClock.Instant?

    init(interval: Duration, burst: Int) {
        self.interval = interval
        self.burst = burst
    }

    /// How long a request of `units` arriving at `now` must wait to conform (zero if it conforms).
    func wait(units: Int, now: ContinuousClock.Instant) -> Duration {
        guard units > 0 else { return .zero }
        let start = max(tat ?? now, now)
        let conformsAt = start + interval * units - interval * burst
        return max(.zero, conformsAt - now)
    }

    /// Takes `units` for a request served at `arrival` (now plus its wait).
    mutating func reserve(units: Int, at arrival: ContinuousClock.Instant) {
        guard units > 0 else { return }
        tat = max(tat ?? arrival, arrival) + interval * units
    }

    /// Continues from another bucket's state: its TAT (on this process's clock), when later than
    /// this one's. A bucket that takes over from another this way admits no burst the other had
    /// already used.
    mutating func takeOver(from other: ContinuousClock.Instant?) {
        guard let other else { return }
        tat = max(tat ?? other, other)
    }

    /// Charges (`units > 0`) or refunds (`units < 0`) after the fact; a refund never fills the
    /// bucket beyond full.
    mutating func adjust(units: Int, now: ContinuousClock.Instant) {
        guard units != 0 else { return }
        tat = max(max(tat ?? now, now) + interval * units, now)
    }
}
