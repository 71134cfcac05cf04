import AssayResilience
import Providers

/// An ordered list of providers for one request. A call goes to the first provider whose circuit
/// breaker admits it and whose rate limit has a slot within the wait budget; a provider that
/// fails is retried up to its `maxRetries` (full-jitter backoff, or the provider's `Retry-After`)
/// while the request's deadline allows, then the chain moves on to the next. The answer, or the
/// failure, lists every attempt with its outcome.
public struct FallbackChain: Sendable {
    /// Retries per provider when its config sets no `maxRetries`: ``RetryPolicy``'s default of
    /// 3 attempts in all (the OpenAI and Anthropic SDKs' 2 retries).
    public static let defaultMaxRetries = RetryPolicy.defaultMaxAttempts - 1

    public let endpoints: [ProviderEndpoint]
    let maxWait: Duration
    let metrics: ProviderMetrics

    /// Runs the chain for `chat`; nothing is attempted at or after `deadline`.
    public func generate(_ chat: ChatRequest, deadline: ContinuousClock.Instant) async -> Result<
        Generation, GenerationFailure
    > {
        let start = ContinuousClock.now
        var attempts: [GenerationAttempt] = []
        for (index, endpoint) in endpoints.enumerated() {
            let hasNext = index + 1 < endpoints.count
            let policy =
                (try? RetryPolicy(maxAttempts: 1 + (endpoint.config.maxRetries ?? Self.defaultMaxRetries)))
                ?? .standard
            var attempt = 1
            var lastOutcome = GenerationAttempt.Outcome.ok
            retrying: while true {
                let attemptStart = ContinuousClock.now
                let result = await endpoint.attempt(chat, deadline: deadline, maxWait: maxWait)
                let latency = ContinuousClock.now - attemptStart
                switch result {
                case .answered(let response):
                    attempts.append(
                        GenerationAttempt(
                            provider: endpoint.name, model: endpoint.config.model, outcome: .ok, latency: latency))
                    return .success(
                        Generation(
                            output: response.text, provider: endpoint.name, model: response.model,
                            finishReason: response.finishReason.description, latency: ContinuousClock.now - start,
                            usage: response.usage, attempts: attempts))
                case .skipped(let outcome, let detail):
                    attempts.append(
                        GenerationAttempt(
                            provider: endpoint.name, model: endpoint.config.model, outcome: outcome, latency: latency,
                            detail: detail))
                    lastOutcome = outcome
                    // The last provider asked to wait (Retry-After): wait, if the deadline allows,
                    // rather than fail at once.
                    if outcome == .retryAfter, !hasNext, let remaining = endpoint.retryAfterRemaining(),
                        ContinuousClock.now + remaining < deadline
                    {
                        do {
                            try await Task.sleep(for: remaining)
                        } catch {
                            return .failure(GenerationFailure(attempts: attempts, latency: ContinuousClock.now - start))
                        }
                        continue retrying
                    }
                    break retrying
                case .failed(let error):
                    let outcome = GenerationAttempt.Outcome(error)
                    attempts.append(
                        GenerationAttempt(
                            provider: endpoint.name, model: endpoint.config.model, outcome: outcome, latency: latency,
                            detail: error.description))
                    lastOutcome = outcome
                    if outcome == .cancelled || Task.isCancelled {
                        return .failure(GenerationFailure(attempts: attempts, latency: ContinuousClock.now - start))
                    }
                    if let retryAfter = error.retryAfter {
                        endpoint.honourRetryAfter(retryAfter)
                        // Another provider can answer now; this one asked to be left alone.
                        if hasNext { break retrying }
                    }
                    let now = ContinuousClock.now
                    guard
                        let delay = policy.nextDelay(
                            attempt: attempt, outcome: Self.retryOutcome(error), now: now, deadline: deadline,
                            random: Double.random(in: 0..<1))
                    else { break retrying }
                    do {
                        try await Task.sleep(until: now + delay, clock: .continuous)
                    } catch {
                        attempts.append(
                            GenerationAttempt(
                                provider: endpoint.name, model: endpoint.config.model, outcome: .cancelled,
                                latency: .zero))
                        return .failure(GenerationFailure(attempts: attempts, latency: ContinuousClock.now - start))
                    }
                    attempt += 1
                }
            }
            if hasNext {
                metrics.recordFallback(from: endpoint.name, to: endpoints[index + 1].name, reason: lastOutcome)
            }
        }
        return .failure(GenerationFailure(attempts: attempts, latency: ContinuousClock.now - start))
    }

    /// A provider error as ``RetryPolicy`` classifies outcomes.
    static func retryOutcome(_ error: ProviderError) -> RetryOutcome {
        switch error {
        case .rateLimited(let retryAfter, _): .response(status: 429, retryAfter: retryAfter)
        case .server(let status, _): .response(status: status)
        case .timeout: .timeout
        case .connection: .connectionFailed
        default: .nonRetryable
        }
    }
}
