/// A provider's limits: requests per second with a burst, and optionally LLM tokens per minute.
public struct RateLimit: Sendable, Equatable {
    public let requestsPerSecond: Double
    /// Requests admitted at once from idle. Defaults to one second's worth (at least 1).
    public let burst: Int
    /// `nil`: no token limit.
    public let tokensPerMinute: Int?
    /// Tokens usable at once from idle. Defaults to one minute's worth: providers' tokens-per-minute
    /// limits (OpenAI, Anthropic) refill continuously, so a full minute's budget is available at once.
    public let tokenBurst: Int

    public init(requestsPerSecond: Double, burst: Int? = nil, tokensPerMinute: Int? = nil, tokenBurst: Int? = nil)
        throws(ResilienceError)
    {
        guard requestsPerSecond > 0, requestsPerSecond.isFinite else {
            throw .invalidConfiguration(
                field: "rateLimit.requestsPerSecond", reason: "must be a positive number, got \(requestsPerSecond)")
        }
        let burst = burst ?? max(1, Int(requestsPerSecond.rounded(.up)))
        guard burst >= 1 else {
            throw .invalidConfiguration(field: "rateLimit.burst", reason: "must be at least 1, got \(burst)")
        }
        if let tokensPerMinute, tokensPerMinute < 1 {
            throw .invalidConfiguration(
                field: "rateLimit.tokensPerMinute",
                reason: "must be at least 1 (omit it for no limit), got \(tokensPerMinute)")
        }
        let tokenBurst = tokenBurst ?? tokensPerMinute ?? 0
        if tokensPerMinute != nil, tokenBurst < 1 {
            throw .invalidConfiguration(field: "rateLimit.tokenBurst", reason: "must be at least 1, got \(tokenBurst)")
        }
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.tokensPerMinute = tokensPerMinute
        self.tokenBurst = tokenBurst
    }

    /// This limit shared evenly by `replicas` processes: what each enforces on its own when the
    /// shared state is unreachable.
    public func divided(by replicas: Int) -> RateLimit {
        let n = max(1, replicas)
        return try! RateLimit(
            requestsPerSecond: requestsPerSecond / Double(n), burst: max(1, burst / n),
            tokensPerMinute: tokensPerMinute.map { max(1, $0 / n) },
            tokenBurst: tokensPerMinute.map { _ in max(1, tokenBurst / n) })
    }

    /// Time per request.
    var requestInterval: Duration { .seconds(1) / requestsPerSecond }

    /// Time per token, `nil` without a token limit.
    var tokenInterval: Duration? { tokensPerMinute.map { .seconds(60) / $0 } }
}
