import AssayCore

/// A response from a handler. The server adds Content-Length, Date and Connection; a handler's own framing
/// headers (Content-Length, Transfer-Encoding) are replaced because the body is always sent whole.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Not sent on the wire: the route template that handled it (for metric labels), set by Router.
    public var route: String?

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.route = nil
    }

    /// A text/plain response.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An application/json response.
    public static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: jsonHeaders, body: JSONWriter.bytes(value))
    }

    /// An application/json response whose JSON the caller wrote (straight into bytes, without a
    /// ``JSONValue`` in between).
    public static func json(body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: jsonHeaders, body: body)
    }

    /// Shared, so a response does not build its header list.
    private static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]

    /// An application/problem+json response (RFC 9457) with type "about:blank".
    public static func problem(status: Int, detail: String) -> HTTPResponse {
        HTTPProblem(status: status, detail: detail).response
    }
}

/// Answers requests; called concurrently from every event loop.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async -> HTTPResponse
}
