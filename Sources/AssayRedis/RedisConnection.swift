import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// One blocking connection to Redis: owns hiredis's `redisContext` and frees it on deinit.
///
/// Every call blocks the calling thread until Redis answers or a timeout fires, so it must never run
/// on Swift's cooperative pool: ``RedisClient`` drives each connection from its own dispatch queue.
/// Not thread-safe; one owner at a time. After a connection error (``RedisError/isConnectionError``)
/// the connection is unusable and the owner opens a new one.
public final class RedisConnection {
    public let url: RedisURL
    public let commandTimeout: Duration
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects (within `connectTimeout`), turns on TCP keepalive, then sends `AUTH` and `SELECT`
    /// when the URL asks for them.
    public init(url: RedisURL, connectTimeout: Duration, commandTimeout: Duration) throws(RedisError) {
        self.url = url
        self.commandTimeout = commandTimeout
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), Self.timeval(connectTimeout)) else {
            throw .connectionRefused(server: url.server, detail: "hiredis could not allocate a connection")
        }
        self.context = context
        if context.pointee.err != 0 {
            let detail = Self.errorString(context)
            if errno == ETIMEDOUT || detail.contains("timed out") {
                throw .connectTimeout(server: url.server, timeout: connectTimeout)
            }
            throw .connectionRefused(server: url.server, detail: detail)
        }
        guard redisSetTimeout(context, Self.timeval(commandTimeout)) == REDIS_OK,
            redisEnableKeepAlive(context) == REDIS_OK
        else {
            throw .connectionRefused(server: url.server, detail: Self.errorString(context))
        }
        if let password = url.password {
            let auth = url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            if case .error(let message) = try send(auth.map { Array($0.utf8) }) {
                throw .server(message)
            }
        }
        if url.database != 0,
            case .error(let message) = try send(["SELECT", String(url.database)].map { Array($0.utf8) })
        {
            throw .server(message)
        }
    }

    deinit {
        redisFree(context)
    }

    /// Sends one command and waits for its reply. Error replies come back as ``RedisValue/error(_:)``.
    public func send(_ command: [[UInt8]]) throws(RedisError) -> RedisValue {
        try pipeline([command])[0]
    }

    /// Writes every command, then reads one reply per command, in order: one round trip for the lot.
    public func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisValue] {
        for command in commands {
            guard append(command) == REDIS_OK else { throw connectionError() }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw connectionError() }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            defer { freeReplyObject(raw) }
            replies.append(try Self.value(of: reply))
        }
        return replies
    }

    private func append(_ command: [[UInt8]]) -> Int32 {
        var flat: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(command.count)
        for argument in command {
            flat.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        flat.append(0)  // never empty, so the buffer has a base address
        return flat.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(command.count)
            for length in lengths {
                argv.append(base.advanced(by: offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return argv.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { lengths in
                    redisAppendCommandArgv(context, Int32(command.count), argv.baseAddress, lengths.baseAddress)
                }
            }
        }
    }

    private func connectionError() -> RedisError {
        let code = context.pointee.err
        let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
        let detail = Self.errorString(context)
        switch code {
        case REDIS_ERR_PROTOCOL: return .protocolError(detail)
        case REDIS_ERR_IO where timedOut || detail.contains("temporarily unavailable"):
            return .commandTimeout(server: url.server, timeout: commandTimeout)
        default: return .connectionLost(server: url.server, detail: detail)
        }
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) throws(RedisError) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STATUS: return .status(text(r))
        case REDIS_REPLY_ERROR: return .error(text(r))
        case REDIS_REPLY_INTEGER: return .integer(Int64(r.integer))
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_STRING:
            guard let str = r.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: r.len)))
        case REDIS_REPLY_ARRAY:
            var values: [RedisValue] = []
            values.reserveCapacity(r.elements)
            for index in 0..<r.elements {
                guard let element = r.element[index] else { throw .protocolError("array element \(index) is missing") }
                values.append(try value(of: element))
            }
            return .array(values)
        default:
            throw .protocolError("unknown reply type \(r.type)")
        }
    }

    private static func text(_ reply: redisReply) -> String {
        guard let str = reply.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.len), as: UTF8.self)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
