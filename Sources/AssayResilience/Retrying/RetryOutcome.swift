/// How an attempt at a provider call ended, as far as retrying is concerned.
public enum RetryOutcome: Sendable, Equatable {
    /// No response within the attempt's timeout.
    case timeout
    /// Connect refused or reset, DNS failure, TLS failure, connection dropped mid-response.
    case connectionFailed
    /// An HTTP response. `retryAfter` is the parsed `Retry-After` header, if any (see ``RetryAfter``).
    case response(status: Int, retryAfter: Duration? = nil)
    /// Anything retrying cannot fix: the request could not be built, the response was not
    /// understood, the caller cancelled.
    case nonRetryable

    /// Timeouts, connection errors, 429 Too Many Requests and 5xx: failures that another attempt
    /// may not repeat.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .connectionFailed: true
        case .response(let status, _): status == 429 || (500...599).contains(status)
        case .nonRetryable: false
        }
    }
}
