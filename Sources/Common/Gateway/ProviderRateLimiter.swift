import Synchronization

/// A provider endpoint's client-side rate limit: shared by every pod through Redis
/// (``TokenBucket``), or this process's alone when the evaluator runs without Redis.
public enum ProviderRateLimiter: Sendable {
    case shared(TokenBucket)
    case local(LocalRateLimiter)

    /// A granted slot, to settle with the actual token usage.
    public struct Slot: Sendable {
        public let waited: Duration
        fileprivate let grant: TokenBucket.Grant?
        fileprivate let estimatedTokens: Int
    }

    /// Waits for a slot; throws ``ResilienceError/rateLimitWaitExceeded(provider:wait:maxWait:)``
    /// at once when it is further away than `maxWait`, or `CancellationError`.
    public func acquire(estimatedTokens: Int, maxWait: Duration) async throws -> Slot {
        switch self {
        case .shared(let bucket):
            let grant = try await bucket.acquire(estimatedTokens: estimatedTokens, maxWait: maxWait)
            return Slot(waited: grant.waited, grant: grant, estimatedTokens: estimatedTokens)
        case .local(let limiter):
            let waited = try await limiter.acquire(estimatedTokens: estimatedTokens, maxWait: maxWait)
            return Slot(waited: waited, grant: nil, estimatedTokens: estimatedTokens)
        }
    }

    public func settle(_ slot: Slot, actualTokens: Int) async {
        switch self {
        case .shared(let bucket):
            if let grant = slot.grant { await bucket.settle(grant, actualTokens: actualTokens) }
        case .local(let limiter):
            limiter.settle(estimatedTokens: slot.estimatedTokens, actualTokens: actualTokens)
        }
    }

    public var limit: RateLimit {
        switch self {
        case .shared(let bucket): bucket.configuration.limit
        case .local(let limiter): limiter.limit
        }
    }

    /// Whether a shared limit is currently enforced in-process because Redis is unreachable.
    public var isDegraded: Bool {
        switch self {
        case .shared(let bucket): bucket.isDegraded
        case .local: false
        }
    }

    public var isShared: Bool {
        if case .shared = self { return true }
        return false
    }
}

/// A rate limit kept in this process only (the same GCRA arithmetic as ``TokenBucket``'s Redis
/// script): what the evaluator enforces when it runs without `--redis`.
public final class LocalRateLimiter: Sendable {
    private struct Cells {
        var requests: GCRA
        var tokens: GCRA?
    }

    public let provider: String
    public let limit: RateLimit
    private let cells: Mutex<Cells>

    public init(provider: String, limit: RateLimit) {
        self.provider = provider
        self.limit = limit
        cells = Mutex(
            Cells(
                requests: GCRA(interval: limit.requestInterval, burst: limit.burst),
                tokens: limit.tokenInterval.map { GCRA(interval: $0, burst: limit.tokenBurst) }))
    }

    /// Reserves a slot and waits for it; returns the wait.
    func acquire(estimatedTokens: Int, maxWait: Duration) async throws -> Duration {
        let now = ContinuousClock.now
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
                try await Task.sleep(until: now + wait, clock: .continuous)
            } catch {
                cells.withLock { cells in
                    cells.requests.adjust(units: -1, now: .now)
                    cells.tokens?.adjust(units: -estimatedTokens, now: .now)
                }
                throw error
            }
        }
        return wait
    }

    func settle(estimatedTokens: Int, actualTokens: Int) {
        let difference = max(0, actualTokens) - estimatedTokens
        guard difference != 0 else { return }
        cells.withLock { $0.tokens?.adjust(units: difference, now: .now) }
    }
}
