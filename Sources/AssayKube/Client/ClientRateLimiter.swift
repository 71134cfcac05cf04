import AssayCore
import Synchronization

/// A token bucket for the requests of one client, so that a busy operator cannot flood the API
/// server: `qps` tokens a second, at most `burst` saved up (a ``GCRA``). Callers that find the
/// bucket empty reserve a future token and wait for it, in arrival order (client-go's token
/// bucket limiter).
public final class ClientRateLimiter: Sendable {
    /// client-go's default QPS for a rest.Config.
    public static let defaultQPS = 5.0
    /// client-go's default burst for a rest.Config.
    public static let defaultBurst = 10

    /// `nil` when limiting is off.
    private let limit: Mutex<GCRA?>
    private let clock: any MonotonicClock

    /// `qps` 0 disables limiting.
    public init(qps: Double = defaultQPS, burst: Int = defaultBurst, clock: any MonotonicClock = SystemClock()) {
        self.clock = clock
        limit = Mutex(qps > 0 ? GCRA(perSecond: qps, burst: burst) : nil)
    }

    /// Waits for a token. Throws `CancellationError` if the task is cancelled while waiting (the
    /// reserved token is not returned, as in client-go).
    public func acquire() async throws {
        let now = clock.now
        let wait = limit.withLock { $0?.take(now: now) } ?? .zero
        if wait > .zero { try await clock.sleep(until: now + wait) }
    }
}
