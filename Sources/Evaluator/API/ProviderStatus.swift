import AssayCore
import Gateway
import Scoring

/// One provider's entry in `GET /v1/providers`: name, type and model (never a key, a key source,
/// a header or the address), circuit breaker state, recent failure rate, and rate-limit status.
enum ProviderStatus {
    static func json(_ endpoint: ProviderEndpoint) -> JSONValue {
        let now = ContinuousClock.now
        let config = endpoint.config
        var object = JSONObject()
        object["name"] = .string(config.name)
        object["type"] = .string(config.type.rawValue)
        object["model"] = .string(config.model)

        var circuit = JSONObject()
        let state = endpoint.breaker.state
        circuit["state"] = .string(state.kind.rawValue)
        if case .open(let until) = state, until > now {
            circuit["retryInMs"] = .number((until - now).inMilliseconds.rounded())
        }
        object["circuit"] = .object(circuit)

        let recent = endpoint.recentFailures
        object["recentFailureRate"] = .number(recent.rate)
        object["recentCalls"] = .number(Double(recent.calls))
        if let remaining = endpoint.retryAfterRemaining(now: now) {
            object["retryAfterMs"] = .number(remaining.inMilliseconds.rounded())
        }

        if let limiter = endpoint.rateLimiter, let configured = config.rateLimit {
            var rate = JSONObject()
            rate["requestsPerSecond"] = .number(configured.requestsPerSecond)
            rate["burst"] = .number(Double(configured.burst))
            if let tpm = configured.tokensPerMinute { rate["tokensPerMinute"] = .number(Double(tpm)) }
            rate["shared"] = .bool(limiter.isShared)
            rate["degraded"] = .bool(limiter.isDegraded)
            object["rateLimit"] = .object(rate)
        } else {
            object["rateLimit"] = .null
        }
        return .object(object)
    }
}
