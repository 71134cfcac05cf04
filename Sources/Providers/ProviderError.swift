/// A failed provider call, classified so that retry and circuit-breaking policy can act on it.
/// Messages never contain API keys (they are scrubbed from provider text; see ``ProviderClient``).
public enum ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 429: slow down; `retryAfter` from `Retry-After` (seconds or HTTP date) or `retry-after-ms`.
    case rateLimited(retryAfter: Duration?, message: String)
    /// 5xx (including Anthropic's 529 overloaded).
    case server(status: Int, message: String)
    /// No answer in time (client timeout or HTTP 408).
    case timeout(String)
    /// No exchange: DNS, connect, TLS, proxy or a dropped connection.
    case connection(String)
    /// A 2xx whose body is not the expected JSON (malformed, missing fields), or an unexpected status.
    case badResponse(String)
    /// 401/403: the key is missing, wrong or lacks permission.
    case auth(String)
    /// 400/404/413/422: the request itself is wrong (model name, parameters, size).
    case invalidRequest(String)
    /// The configured key source is unset or unreadable.
    case missingAPIKey(String)
    /// The response exceeded the HTTP client's size limit.
    case responseTooLarge(limit: Int)
    /// The calling task was cancelled.
    case cancelled

    /// Whether the same request may succeed if sent again later.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .server, .timeout, .connection: true
        case .badResponse, .auth, .invalidRequest, .missingAPIKey, .responseTooLarge, .cancelled: false
        }
    }

    /// The provider's requested delay before retrying, if it sent one.
    public var retryAfter: Duration? {
        if case .rateLimited(let delay, _) = self { return delay }
        return nil
    }

    public var description: String {
        switch self {
        case .rateLimited(let delay, let m):
            "rate limited by the provider\(delay.map { "; retry after \($0)" } ?? "")\(Self.suffix(m))"
        case .server(let status, let m): "provider server error (HTTP \(status))\(Self.suffix(m))"
        case .timeout(let m): "provider did not answer in time: \(m); raise timeoutSeconds if the model is slow"
        case .connection(let m): "cannot reach the provider: \(m)"
        case .badResponse(let m): "provider sent an unexpected response: \(m)"
        case .auth(let m): "provider rejected the credentials: \(m)"
        case .invalidRequest(let m): "provider rejected the request: \(m)"
        case .missingAPIKey(let m): "no API key: \(m)"
        case .responseTooLarge(let limit): "provider response larger than \(limit) bytes"
        case .cancelled: "provider call cancelled"
        }
    }

    private static func suffix(_ m: String) -> String { m.isEmpty ? "" : ": \(m)" }
}
