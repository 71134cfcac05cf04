import AssayCore
import Providers

/// One step of a fallback chain: a provider tried (or passed over) and how that ended.
public struct GenerationAttempt: Sendable, Equatable {
    /// How an attempt ended. The raw values appear in responses (`attempts[].outcome`) and in the
    /// `outcome` label of `assay_provider_requests_total` and the `reason` of `assay_fallbacks_total`.
    public enum Outcome: String, Sendable, CaseIterable {
        /// The provider answered.
        case ok
        /// Skipped: its circuit breaker is open (or its half-open probes are all in flight).
        case circuitOpen = "circuit_open"
        /// Skipped: its rate limit has no slot within the wait budget.
        case rateLimited = "rate_limited"
        /// Skipped: it answered 429 with `Retry-After` recently, and that time has not passed.
        case retryAfter = "retry_after"
        /// Skipped: the request's overall deadline had passed.
        case deadlineExceeded = "deadline_exceeded"
        /// The provider answered 429.
        case providerRateLimited = "provider_rate_limited"
        case serverError = "server_error"
        /// No answer within the provider's `timeoutSeconds` (a failure for its circuit breaker).
        case timeout
        case connectionError = "connection_error"
        case badResponse = "bad_response"
        case authError = "auth_error"
        case invalidRequest = "invalid_request"
        case missingAPIKey = "missing_api_key"
        case cancelled

        init(_ error: ProviderError) {
            switch error {
            case .rateLimited: self = .providerRateLimited
            case .server: self = .serverError
            case .timeout: self = .timeout
            case .connection: self = .connectionError
            case .badResponse, .responseTooLarge: self = .badResponse
            case .auth: self = .authError
            case .invalidRequest: self = .invalidRequest
            case .missingAPIKey: self = .missingAPIKey
            case .cancelled: self = .cancelled
            }
        }
    }

    /// The provider's `name` (its type unless configured).
    public var provider: String
    public var model: String
    public var outcome: Outcome
    /// Time spent on this attempt, including any rate-limit wait; zero for a skip.
    public var latency: Duration
    /// What went wrong, for people: a provider error's description (keys scrubbed) or why the
    /// provider was skipped. Empty for `ok`.
    public var detail: String

    public init(provider: String, model: String, outcome: Outcome, latency: Duration, detail: String = "") {
        self.provider = provider
        self.model = model
        self.outcome = outcome
        self.latency = latency
        self.detail = detail
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["provider"] = .string(provider)
        object["outcome"] = .string(outcome.rawValue)
        object["latencyMs"] = .number(latency.inMilliseconds)
        if !detail.isEmpty { object["detail"] = .string(detail) }
        return .object(object)
    }
}
