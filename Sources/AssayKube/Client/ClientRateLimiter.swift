import AssayCore

/// A token bucket for the requests of one client, so that a busy operator cannot flood the API
/// server: `qps` tokens a second, at most `burst` saved up (a ``GCRA``). Callers that find the
/// bucket empty reserve a future token and wait for it, in arrival order (client-go's token
/// bucket limiter).
///
/// A request the API server refused with a wait (a 429 or 503 with `Retry-After`, see
/// ``APIFlowControl``) waits here too: the time named plus up to half of it more, so the requests
/// refused together do not all come back in the same instant. Only that request waits, as in
/// client-go: holding every request of the client for each refusal cost a load-shedding emulator
/// run a second per 429 (bench/operator).
public final class ClientRateLimiter: Sendable {
    /// client-go's default QPS for a rest.Config.
    public static let defaultQPS = 5.0
    /// client-go's default burst for a rest.Config.
    public static let defaultBurst = 10
    /// The most a refused request's wait is stretched, as a share of the wait the server named.
    public static let retryJitter = 0.5

    /// `nil` when limiting is off.
    private let limit: Guarded<GCRA?>
    private let clock: any MonotonicClock
    private let random: @Sendable () -> Double

    /// `qps` 0 (or less) disables the bucket. `random` gives numbers in `[0, 1)` for spreading
    /// retries.
    public init(
        qps: Double = defaultQPS, burst: Int = defaultBurst, clock: any MonotonicClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.clock = clock
        self.random = random
        limit = Guarded(qps > 0 ? GCRA(perSecond: qps, burst: max(1, burst)) : nil)
    }

    /// Waits for a token. Throws `CancellationError` if the task is cancelled while waiting (the
    /// reserved token is not returned, as in client-go).
    public func acquire() async throws {
        let now = clock.now
        let wait = limit.withLock { $0?.take(now: now) } ?? .zero
        if wait > .zero { try await clock.sleep(until: now + wait) }
    }

    /// Waits what the server asked before a refused request is sent again (plus up to
    /// ``retryJitter`` of it). Throws `CancellationError` if the task is cancelled meanwhile.
    public func wait(retryAfter delay: Duration) async throws {
        let until = clock.now + delay + delay * (Self.retryJitter * random())
        try await clock.sleep(until: until)
    }
}
