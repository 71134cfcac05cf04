import AssayCore

/// When to try a failed provider call again: a ``Backoff`` (full jitter by default), `Retry-After`
/// honoured, only for retryable outcomes, bounded by attempts and by the request's deadline.
public struct RetryPolicy: Sendable, Equatable {
    /// Three attempts in all (two retries): OpenAI's and Anthropic's official SDKs default to
    /// 2 retries, and AWS SDKs' "standard" retry mode to 3 attempts.
    public static let defaultMaxAttempts = 3
    /// OpenAI's Python SDK waits 0.5 s before its first retry and at most 8 s between retries;
    /// full jitter spreads clients that failed together.
    public static let defaultBackoff = try! Backoff(base: .milliseconds(500), cap: .seconds(8), jitter: .full)

    /// Attempts including the first; 1 means never retry.
    public let maxAttempts: Int
    public let backoff: Backoff

    public init(maxAttempts: Int = defaultMaxAttempts, backoff: Backoff = defaultBackoff)
        throws(ResilienceError)
    {
        guard maxAttempts >= 1 else {
            throw .invalidConfiguration(field: "retry.maxAttempts", reason: "must be at least 1, got \(maxAttempts)")
        }
        self.maxAttempts = maxAttempts
        self.backoff = backoff
    }

    public static let standard = try! RetryPolicy()

    /// How long to wait before the next attempt, or `nil` to stop.
    ///
    /// - Parameters:
    ///   - attempt: the attempt that just failed, counting from 1.
    ///   - outcome: how it failed.
    ///   - now: when it failed.
    ///   - deadline: the request's overall deadline; a retry that could not start before it is pointless.
    ///   - random: a sample in `[0, 1)` for the jitter.
    /// - Returns: the server's `Retry-After` if it sent one (it knows best), else the backoff's delay
    ///   (by default full jitter: in `[0, min(cap, base * 2^(attempt-1)))`); `nil` if the outcome is not retryable, the attempts
    ///   are used up, or the next attempt would start at or after the deadline.
    public func nextDelay(
        attempt: Int, outcome: RetryOutcome, now: ContinuousClock.Instant, deadline: ContinuousClock.Instant,
        random: Double
    ) -> Duration? {
        guard outcome.isRetryable, attempt < maxAttempts else { return nil }
        var delay = backoff.delay(attempt: attempt, random: random)
        if case .response(_, let retryAfter?) = outcome { delay = retryAfter }
        guard now + delay < deadline else { return nil }
        return delay
    }
}
