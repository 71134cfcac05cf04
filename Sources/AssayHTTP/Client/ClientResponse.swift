/// A complete HTTP response as received by ``HTTPTransport/send(_:)``.
public struct ClientResponse: Sendable {
    public var status: Int
    /// Header fields of the final response (not of `100 Continue` or proxy `CONNECT` replies), in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Connections opened for this exchange: 0 when a pooled connection was reused.
    public var newConnections: Int

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], newConnections: Int = 0)
    {
        self.status = status
        self.headers = headers
        self.body = body
        self.newConnections = newConnections
    }

    /// The first value of `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The body decoded as UTF-8, with invalid sequences replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
