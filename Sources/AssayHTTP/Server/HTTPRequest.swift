import AssayCore

/// The protocol version of a request; HTTP/1.x minor versions above 1 are handled as 1.1 (RFC 9110 §6.2).
public enum HTTPVersion: Sendable, Equatable {
    case http1_0
    case http1_1

    public var description: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}

/// A complete request as received: the head plus the decoded body (chunked framing removed).
public struct HTTPRequest: Sendable {
    /// "GET", "POST", ... exactly as sent (methods are case-sensitive).
    public var method: String
    /// The raw request-target.
    public var target: String
    /// The target before "?".
    public var path: String
    /// The raw query after "?", if there was one.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the client allows the connection to be reused after this request.
    public var isKeepAlive: Bool
    /// Set by the server when it hands the request to a responder: the request's deadline, and its
    /// cancellation when the client goes away, the deadline passes or the server shuts down.
    public var cancellation: WorkCancellation?

    public init(
        method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:],
        body: [UInt8] = [], isKeepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        if let mark = target.utf8.firstIndex(of: HTTPBytes.questionMark) {
            path = String(target[..<mark])
            query = String(target[target.utf8.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.isKeepAlive = isKeepAlive
    }

    /// For the parser, which has already split the target.
    init(method: String, target: String, path: String, query: String?, version: HTTPVersion) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = HTTPHeaders()
        self.body = []
        self.isKeepAlive = true
    }
}
