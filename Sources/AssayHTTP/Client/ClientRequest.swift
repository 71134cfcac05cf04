/// One HTTP request for ``HTTPTransport/send(_:)``.
///
/// The body is sent as is; the caller sets `Content-Type`. Header values may carry secrets
/// (`Authorization`, `x-api-key`, ...), so ``description`` redacts them and the query string.
public struct ClientRequest: Sendable, CustomStringConvertible {
    public var method: String
    /// Absolute `http://` or `https://` URL.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Total time for the exchange; `nil` uses ``HTTPClientConfiguration/timeout``.
    public var timeout: Duration?
    /// Time to establish the connection (TCP, TLS, proxy); `nil` uses the configuration's.
    public var connectTimeout: Duration?
    /// Largest accepted response body; `nil` uses ``HTTPClientConfiguration/maxResponseBytes``.
    public var maxResponseBytes: Int?

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration? = nil, connectTimeout: Duration? = nil, maxResponseBytes: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The first value of `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    public var description: String {
        let shown = headers.map { "\($0.name): \(Self.isSensitive($0.name) ? "<redacted>" : $0.value)" }
        return "\(method) \(Self.redactingQuery(url)) [\(shown.joined(separator: ", "))] \(body.count) bytes"
    }

    /// Headers whose values are credentials in the wire formats we speak.
    static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key", "cookie",
    ]

    static func isSensitive(_ name: String) -> Bool { sensitiveHeaders.contains(name.lowercased()) }

    /// The URL without its query, which may hold a key (Gemini accepts `?key=`).
    package static func redactingQuery(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        return String(url[..<q]) + "?<redacted>"
    }
}
