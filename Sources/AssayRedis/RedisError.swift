/// Everything the Redis client can fail with. Messages name the server as `host:port` and never
/// contain a password.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be parsed; `reason` says which part is wrong.
    case invalidURL(reason: String)
    /// Nothing listens at the address (TCP RST) or the host did not resolve.
    case connectionRefused(server: String, detail: String)
    /// The TCP connect did not finish within the connect timeout.
    case connectTimeout(server: String, timeout: Duration)
    /// A command got no reply within the command timeout; the connection is dropped and reopened.
    case commandTimeout(server: String, timeout: Duration)
    /// The connection broke (server closed it, reset, I/O error) while a command was in flight.
    case connectionLost(server: String, detail: String)
    /// The bytes on the wire were not RESP, or the reply had an unexpected shape.
    case protocolError(String)
    /// An error reply, with the server's message (`NOSCRIPT ...`, `WRONGTYPE ...`, `NOAUTH ...`).
    case server(String)
    /// The client was closed; no more commands are accepted.
    case closed

    /// Errors after which the server may be fine but this connection is not (or no server answers).
    public var isConnectionError: Bool {
        switch self {
        case .connectionRefused, .connectTimeout, .commandTimeout, .connectionLost, .closed: true
        case .invalidURL, .protocolError, .server: false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            "invalid Redis URL: \(reason); expected redis://[:password@]host[:port][/db]"
        case .connectionRefused(let server, let detail):
            "cannot connect to Redis at \(server): \(detail); check that redis-server runs there and the URL is right"
        case .connectTimeout(let server, let timeout):
            "connecting to Redis at \(server) timed out after \(timeout); check the network path or raise the connect timeout"
        case .commandTimeout(let server, let timeout):
            "Redis at \(server) did not answer within \(timeout); it may be overloaded or blocked by a slow command"
        case .connectionLost(let server, let detail):
            "connection to Redis at \(server) was lost: \(detail); the client reconnects on the next command"
        case .protocolError(let detail):
            "Redis protocol error: \(detail)"
        case .server(let message):
            "Redis replied with an error: \(message)"
        case .closed:
            "the Redis client was closed; create a new one"
        }
    }
}
