/// Why an HTTP exchange produced no response. Messages name what to check; they never contain
/// header values or the URL's query (where credentials may live).
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request cannot be sent as given (malformed URL, unsupported scheme, bad option).
    case invalidRequest(String)
    /// The host name did not resolve.
    case resolve(String)
    /// No TCP connection could be made (refused, unreachable, connect timeout).
    case connect(String)
    /// The proxy from the configuration or the environment failed.
    case proxy(String)
    /// TLS handshake or certificate verification failed.
    case tls(String)
    /// The total or connect timeout elapsed.
    case timeout(String)
    /// The response body exceeded the configured limit.
    case tooLarge(limit: Int)
    /// The calling task was cancelled; the transfer was aborted and its handle released.
    case cancelled
    /// The connection failed mid-exchange (reset, closed early, nothing received).
    case transport(String)
    /// The client was shut down before the exchange finished.
    case shutDown

    public var description: String {
        switch self {
        case .invalidRequest(let m): "invalid HTTP request: \(m)"
        case .resolve(let m): "could not resolve host: \(m); check the provider's baseURL and DNS"
        case .connect(let m): "could not connect: \(m); check that the server is up and reachable"
        case .proxy(let m): "proxy failed: \(m); check http_proxy/https_proxy/no_proxy"
        case .tls(let m): "TLS failed: \(m); check the server certificate and the configured CA file"
        case .timeout(let m): "timed out: \(m)"
        case .tooLarge(let limit): "response body larger than the \(limit)-byte limit"
        case .cancelled: "request cancelled"
        case .transport(let m): "connection failed during the exchange: \(m)"
        case .shutDown: "HTTP client shut down"
        }
    }
}
