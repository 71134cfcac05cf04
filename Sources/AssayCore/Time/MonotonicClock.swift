/// The time source of breakers and rate limiters: the seam tests replace to control or skew time.
public protocol MonotonicClock: Sendable {
    var now: ContinuousClock.Instant { get }
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The process's monotonic clock (`CLOCK_BOOTTIME` on Linux), which wall-clock steps do not move.
public struct SystemClock: MonotonicClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline)
    }
}
