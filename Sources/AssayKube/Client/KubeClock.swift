/// Monotonic time and sleeping, injectable so that the watcher's backoff and the rate limiter
/// are tested by advancing a manual clock instead of waiting.
public protocol KubeClock: Sendable {
    /// Time since an arbitrary fixed origin; only differences matter.
    var now: Duration { get }
    func sleep(for duration: Duration) async throws
}

/// The real clock: `ContinuousClock` (keeps counting while the machine sleeps, as timeouts should).
public struct SystemKubeClock: KubeClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration, clock: .continuous)
    }
}
