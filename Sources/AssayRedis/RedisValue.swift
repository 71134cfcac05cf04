/// A decoded RESP2 reply.
///
/// Error replies inside arrays (a failed command in `EXEC`, or in a pipelined script's table) stay
/// values; a top-level error reply is thrown as ``RedisError/server(_:)`` by ``RedisClient``.
public enum RedisValue: Sendable, Hashable {
    /// `+OK`, `+PONG`: a status line.
    case status(String)
    /// `-ERR ...`: the server's message, verbatim.
    case error(String)
    case integer(Int64)
    /// A bulk string, binary-safe.
    case bulk([UInt8])
    /// A nil bulk string or nil array.
    case null
    indirect case array([RedisValue])

    /// The integer, or an integer spelled as a bulk string (`"42"`).
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The text of a status, error or bulk string (bulk strings decoded as UTF-8).
    public var text: String? {
        switch self {
        case .status(let text), .error(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }
}
