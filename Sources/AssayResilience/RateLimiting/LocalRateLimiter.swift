import AssayCore

/// A rate limit kept in this process only (the same GCRA arithmetic as ``TokenBucket``'s Redis
/// script): what the evaluator enforces when it runs without `--redis`.
public final class LocalRateLimiter: Sendable {
    private struct Cells {
        var requests: GCRA
        var tokens: GCRA?
    }

    public let provider: String
    public let limit: RateLimit
    private let clock: any MonotonicClock
    private let cells: Guarded<Cells>

    public init(provider: String, limit: RateLimit, clock: any MonotonicClock = SystemClock()) {
        self.provider = provider
        self.limit = limit
        self.clock = clock
        cells = Guarded(
            Cells(
                requests: GCRA(interval: limit.requestInterval, burst: limit.burst),
                tokens: limit.tokenInterval.map { GCRA(interval: $0, burst: limit.tokenBurst) }))
    }

    /// Reserves a slot and waits for it; returns the wait.
    func acquire(estimatedTokens: Int, maxWait: Duration) async throws -> Duration {
        let now = clock.now
        let wait = cells.withLock { cells -> Duration? in
            let wait = max(
                cells.requests.wait(units: 1, now: now), cells.tokens?.wait(units: estimatedTokens, now: now) ?? .zero)
            guard wait <= maxWait else { return nil }
            cells.requests.reserve(units: 1, at: now + wait)
            cells.tokens?.reserve(units: estimatedTokens, at: now + wait)
            return wait
        }
        guard let wait else {
            let next = cells.withLock { $0.requests.wait(units: 1, now: now) }
            throw ResilienceError.rateLimitWaitExceeded(provider: provider, wait: next, maxWait: maxWait)
        }
        if wait > .zero {
            do {
                try await clock.sleep(until: now + wait)
            } catch {
                let now = clock.now
                cells.withLock { cells in
                    cells.requests.adjust(units: -1, now: now)
                    cells.tokens?.adjust(units: -estimatedTokens, now: now)
                }
                throw error
            }
        }
        return wait
    }

    func settle(estimatedTokens: Int, actualTokens: Int) {
        let difference = max(0, actualTokens) - estimatedTokens
        guard difference != 0 else { return }
        let now = clock.now
        cells.withLock { $0.tokens?.adjust(units: difference, now: now) }
    }
}
