/// Everything the resilience module (rate limits, circuit breakers, retries) can fail with.
public enum ResilienceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration value is out of range; `field` names it as it appears in the configuration.
    case invalidConfiguration(field: String, reason: String)
    /// The provider's rate limit has no slot within `maxWait`; nothing was reserved.
    case rateLimitWaitExceeded(provider: String, wait: Duration, maxWait: Duration)
    /// A call run by ``CircuitBreaker/run(_:)`` took longer than the breaker's call timeout.
    case callTimedOut(name: String, timeout: Duration)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let reason):
            "invalid configuration: \(field) \(reason)"
        case .rateLimitWaitExceeded(let provider, let wait, let maxWait):
            "provider \(provider) is at its rate limit: the next slot is in \(wait), more than the maximum wait"
                + " of \(maxWait); try the next provider, or raise the rate limit or the maximum wait"
        case .callTimedOut(let name, let timeout):
            "call to \(name) took longer than \(timeout) and was abandoned; it counts as a failure for its circuit"
                + " breaker (raise callTimeout if such calls are expected to be slow)"
        }
    }
}
