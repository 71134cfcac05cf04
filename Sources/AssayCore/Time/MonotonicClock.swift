/// The one time source of everything that waits or times out: breakers, rate limits, backoffs,
/// watchers, the reconcile queue, leader election and caches. Times are instants of the
/// process's monotonic clock; tests replace it (TestSupport's `ManualClock`) to control or skew
/// time, and the pure state machines take the instant as an argument.
public protocol MonotonicClock: Sendable {
    var now: ContinuousClock.Instant { get }
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension MonotonicClock {
    /// Sleeps `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

/// The process's monotonic clock (`CLOCK_BOOTTIME` on Linux), which wall-clock steps do not move
/// and which keeps counting while the machine sleeps, as timeouts should.
public struct SystemClock: MonotonicClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline)
    }
}
