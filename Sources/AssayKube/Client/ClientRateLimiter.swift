import Synchronization

/// A token bucket for the requests of one client, so that a busy operator cannot flood the API
/// server: `qps` tokens a second, at most `burst` saved up. Callers that find the bucket empty
/// reserve a future token and wait for it, in arrival order (client-go's token bucket limiter).
public final class ClientRateLimiter: Sendable {
    /// client-go's default QPS for a rest.Config.
    public static let defaultQPS = 5.0
    /// client-go's default burst for a rest.Config.
    public static let defaultBurst = 10

    /// The bucket's arithmetic, separate from waiting so that it is tested on plain numbers.
    public struct Bucket: Sendable, Hashable {
        public let qps: Double
        public let burst: Int
        /// Tokens available at ``updated``; negative when callers have reserved future tokens.
        public private(set) var tokens: Double
        public private(set) var updated: Duration

        public init(qps: Double, burst: Int, now: Duration) {
            self.qps = qps
            self.burst = max(1, burst)
            self.tokens = Double(max(1, burst))
            self.updated = now
        }

        /// Takes one token at `now`, returning how long the caller must wait before using it.
        public mutating func reserve(at now: Duration) -> Duration {
            guard qps > 0 else { return .zero }
            if now > updated {
                tokens = min(Double(burst), tokens + qps * Self.seconds(now - updated))
                updated = now
            }
            tokens -= 1
            return tokens >= 0 ? .zero : .seconds(-tokens / qps)
        }

        static func seconds(_ d: Duration) -> Double {
            let (s, atto) = d.components
            return Double(s) + Double(atto) / 1e18
        }
    }

    private let bucket: Mutex<Bucket>
    private let clock: any KubeClock

    /// `qps` 0 disables limiting.
    public init(qps: Double = defaultQPS, burst: Int = defaultBurst, clock: any KubeClock = SystemKubeClock()) {
        self.clock = clock
        self.bucket = Mutex(Bucket(qps: qps, burst: burst, now: clock.now))
    }

    /// Waits for a token. Throws `CancellationError` if the task is cancelled while waiting (the
    /// reserved token is not returned, as in client-go).
    public func acquire() async throws {
        let now = clock.now
        let wait = bucket.withLock { $0.reserve(at: now) }
        if wait > .zero { try await clock.sleep(for: wait) }
    }
}
