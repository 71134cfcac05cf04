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
