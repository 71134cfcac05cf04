/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(host: String, port: Int)
    case addressInUse(host: String, port: Int)
    case permissionDenied(host: String, port: Int)
    case alreadyStarted
    case systemCall(name: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidAddress(let host, let port):
            "cannot listen on \(host):\(port): the host must be an IPv4 or IPv6 address (e.g. 0.0.0.0 or ::) "
                + "and the port 0...65535"
        case .addressInUse(let host, let port):
            "port \(port) on \(host) is already in use; stop the other process or configure another port (0 picks "
                + "a free one)"
        case .permissionDenied(let host, let port):
            "not allowed to listen on \(host):\(port); ports below 1024 need CAP_NET_BIND_SERVICE, use 1024 or above"
        case .alreadyStarted:
            "the server was already started; create a new HTTPServer to listen again"
        case .systemCall(let name, let errno):
            "\(name) failed with errno \(errno) while starting the HTTP server"
        }
    }
}
