import AssayCore
import Synchronization

/// A token bucket for the requests of one client, so that a busy operator cannot flood the API
/// server: `qps` tokens a second, at most `burst` saved up (a ``GCRA``). Callers that find the
/// bucket empty reserve a future token and wait for it, in arrival order (client-go's token
/// bucket limiter).
///
/// The API server can also ask the whole client to wait: ``pause(for:)`` (a 429 or 503 with
/// `Retry-After`, see ``APIFlowControl``) holds every request until the time it named, whether or
/// not the bucket is on, and then lets the held requests go spread over one more pause length
/// (client-go's `wait.Jitter` with factor 1), so they do not all arrive in the same instant and
/// get refused together again.
public final class ClientRateLimiter: Sendable {
    /// client-go's default QPS for a rest.Config.
    public static let defaultQPS = 5.0
    /// client-go's default burst for a rest.Config.
    public static let defaultBurst = 10

    private struct State {
        /// `nil` when limiting is off.
        var limit: GCRA?
        /// No request leaves before this instant (the server's last `Retry-After`).
        var pausedUntil: ContinuousClock.Instant?
        /// The length of that pause: held requests leave spread over this much after it.
        var spread: Duration = .zero
    }

    private let state: Mutex<State>
    private let clock: any MonotonicClock
    private let random: @Sendable () -> Double

    /// `qps` 0 (or less) disables the bucket; pauses still apply. `random` gives numbers in
    /// `[0, 1)` for spreading requests held by a pause.
    public init(
        qps: Double = defaultQPS, burst: Int = defaultBurst, clock: any MonotonicClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.clock = clock
        self.random = random
        state = Mutex(State(limit: qps > 0 ? GCRA(perSecond: qps, burst: max(1, burst)) : nil))
    }

    /// Waits for a token, and past any pause. Throws `CancellationError` if the task is cancelled
    /// while waiting (the reserved token is not returned, as in client-go).
    public func acquire() async throws {
        let now = clock.now
        let jitter = random()
        let until = state.withLock { state -> ContinuousClock.Instant in
            var start = now
            if let paused = state.pausedUntil, paused > now { start = paused + state.spread * jitter }
            return start + (state.limit?.take(now: start) ?? .zero)
        }
        if until > now { try await clock.sleep(until: until) }
    }

    /// Holds every request of this client for `delay` from now (a later pause wins over an earlier).
    public func pause(for delay: Duration) {
        let until = clock.now + delay
        state.withLock { state in
            guard until > state.pausedUntil ?? until - .nanoseconds(1) else { return }
            state.pausedUntil = until
            state.spread = delay
        }
    }
}
