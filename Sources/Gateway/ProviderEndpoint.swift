import AssayCore
import AssayHTTP
import AssayResilience
import Providers

/// One configured provider as the gateway calls it: its client, its circuit breaker, its rate
/// limit, and what it recently did. One per distinct ``ProviderConfig`` per process (kept by the
/// ``ProviderPool``), shared by every request that names that config.
public final class ProviderEndpoint: Sendable {
    /// Calls the recent failure rate of `GET /v1/providers` is computed over (the breaker's window).
    static let recentWindow = CircuitBreakerConfiguration.defaultSlidingWindowSize
    /// Tokens reserved for a request without `maxTokens` when the provider has a tokens-per-minute
    /// limit; settled with the actual usage afterwards. (Our choice: a short answer's size.)
    static let defaultEstimatedOutputTokens = 256
    /// The usual rule of thumb for English text with OpenAI's and Anthropic's tokenizers.
    static let bytesPerToken = 4

    /// What one attempt at this endpoint came to.
    enum AttemptResult: Sendable {
        case answered(ChatResponse)
        /// Passed over without calling: breaker, rate limit, Retry-After or deadline.
        case skipped(GenerationAttempt.Outcome, String)
        case failed(ProviderError)
    }

    private struct Recent {
        var window = CallWindow(capacity: ProviderEndpoint.recentWindow)
        /// Until when the provider asked (with 429 and Retry-After) not to be called.
        var retryAfterUntil: ContinuousClock.Instant?
    }

    public let config: ProviderConfig
    public let breaker: CircuitBreaker
    public let rateLimiter: ProviderRateLimiter?
    let client: ProviderClient
    private let transport: any HTTPTransport
    private let environment: ProviderEnvironment
    private let metrics: ProviderMetrics
    private let recent = Guarded(Recent())

    init(
        config: ProviderConfig, transport: any HTTPTransport, environment: ProviderEnvironment,
        breaker: CircuitBreaker, rateLimiter: ProviderRateLimiter?, metrics: ProviderMetrics
    ) {
        self.config = config
        self.transport = transport
        self.environment = environment
        self.breaker = breaker
        self.rateLimiter = rateLimiter
        self.metrics = metrics
        client = ProviderClient(config: config, transport: transport, environment: environment)
    }

    public var name: String { config.name }

    /// `url` without any `user:password@` part, for logs and rate-limit keys.
    static func withoutUserInfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }

    /// Failures over the last calls (up to ``recentWindow``), and how many calls that is.
    public var recentFailures: (rate: Double, calls: Int) {
        recent.withLock { ($0.window.failureRate, $0.window.calls) }
    }

    /// How long the provider still asked not to be called, if it did.
    public func retryAfterRemaining(now: ContinuousClock.Instant = .now) -> Duration? {
        recent.withLock { recent in
            guard let until = recent.retryAfterUntil, until > now else { return nil }
            return until - now
        }
    }

    /// Remembers a 429's `Retry-After`: other requests pass this provider over until then.
    func honourRetryAfter(_ delay: Duration, now: ContinuousClock.Instant = .now) {
        recent.withLock { recent in
            let until = now + delay
            if recent.retryAfterUntil.map({ $0 < until }) ?? true { recent.retryAfterUntil = until }
        }
    }

    /// One attempt: checks the breaker, waits for a rate-limit slot (at most `maxWait`, and never
    /// past `deadline`), calls once with the provider's timeout (shortened to the deadline), and
    /// records the outcome with the breaker and the metrics.
    func attempt(_ chat: ChatRequest, deadline: ContinuousClock.Instant, maxWait: Duration) async -> AttemptResult {
        let now = ContinuousClock.now
        guard now < deadline else { return .skipped(.deadlineExceeded, "the request's deadline has passed") }
        if let remaining = retryAfterRemaining(now: now) {
            return .skipped(.retryAfter, "the provider asked to wait \(remaining) (Retry-After)")
        }
        // Look before taking a rate-limit slot: an open circuit should not spend one.
        if let rejection = peekRejection(now: now) { return .skipped(.circuitOpen, rejection.description) }

        var slot: ProviderRateLimiter.Slot?
        if let rateLimiter {
            do {
                slot = try await rateLimiter.acquire(
                    estimatedTokens: estimatedTokens(chat), maxWait: min(maxWait, deadline - now))
                metrics.rateLimitWait.labels(name).observe(slot.map { $0.waited.inSeconds } ?? 0)
            } catch let error as ResilienceError {
                return .skipped(.rateLimited, error.description)
            } catch {
                return .failed(.cancelled)
            }
        }

        let permit: CircuitBreaker.Permit
        switch breaker.tryAcquire() {
        case .failure(let rejection):
            if let slot, let rateLimiter { await rateLimiter.settle(slot, actualTokens: 0) }
            return .skipped(.circuitOpen, rejection.description)
        case .success(let granted):
            permit = granted
        }

        let started = ContinuousClock.now
        let callClient = clientFor(deadline: deadline, now: started)
        let result: Result<ChatResponse, ProviderError>
        do {
            result = .success(try await callClient.complete(chat))
        } catch {
            result = .failure(error)
        }
        let elapsed = ContinuousClock.now - started

        switch result {
        case .success(let response):
            breaker.record(.success, for: permit)
            record(failure: elapsed > breaker.machine.configuration.callTimeout)
            metrics.recordCall(provider: name, model: config.model, outcome: .ok, seconds: elapsed.inSeconds)
            metrics.recordTokens(provider: name, usage: response.usage)
            if let slot, let rateLimiter { await rateLimiter.settle(slot, actualTokens: response.usage.totalTokens) }
            return .answered(response)
        case .failure(let error):
            let outcome = GenerationAttempt.Outcome(error)
            switch Self.breakerOutcome(error) {
            case .timeout:
                breaker.record(.timeout, for: permit)
                record(failure: true)
            case .failure:
                breaker.record(.failure, for: permit)
                record(failure: true)
            case .success:
                // The provider answered (429, 4xx) or our caller gave up: not a sign of ill health.
                breaker.record(.success, for: permit)
                record(failure: false)
            }
            metrics.recordCall(provider: name, model: config.model, outcome: outcome, seconds: elapsed.inSeconds)
            if let slot, let rateLimiter { await rateLimiter.settle(slot, actualTokens: 0) }
            return .failed(error)
        }
    }

    /// How a failed call counts for the circuit breaker: the provider being down, slow or broken
    /// counts against it; the provider answering "slow down" or "bad request" does not.
    static func breakerOutcome(_ error: ProviderError) -> CircuitBreaker.Outcome {
        switch error {
        case .timeout: .timeout
        case .server, .connection, .badResponse, .responseTooLarge: .failure
        case .rateLimited, .auth, .invalidRequest, .missingAPIKey, .cancelled: .success
        }
    }

    private func record(failure: Bool) {
        recent.withLock { $0.window.record(failure: failure) }
    }

    /// The rejection `tryAcquire` would give right now, without changing the breaker's state.
    private func peekRejection(now: ContinuousClock.Instant) -> CircuitRejection? {
        switch breaker.state {
        case .open(let until) where until > now:
            return CircuitRejection(reason: .open, retryAfter: until - now)
        case .halfOpen(let admitted, _) where admitted >= breaker.machine.configuration.halfOpenProbes:
            return CircuitRejection(reason: .probesInFlight, retryAfter: .zero)
        default:
            return nil
        }
    }

    /// The endpoint's client, or one whose timeout ends at `deadline` when that comes first.
    private func clientFor(deadline: ContinuousClock.Instant, now: ContinuousClock.Instant) -> ProviderClient {
        let left = (deadline - now).inSeconds
        guard left < config.timeoutSeconds else { return client }
        var shortened = config
        shortened.timeoutSeconds = max(left, 0.001)
        return ProviderClient(config: shortened, transport: transport, environment: environment)
    }

    private func estimatedTokens(_ chat: ChatRequest) -> Int {
        guard rateLimiter?.limit.tokensPerMinute != nil else { return 0 }
        let promptBytes = chat.messages.reduce(0) { $0 + $1.content.utf8.count }
        return promptBytes / Self.bytesPerToken + (chat.maxTokens ?? Self.defaultEstimatedOutputTokens)
    }
}
