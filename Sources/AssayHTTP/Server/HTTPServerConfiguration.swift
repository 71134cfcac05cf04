import Foundation

/// Where the server listens and the limits and timeouts it enforces on clients.
public struct HTTPServerConfiguration: Sendable {
    /// Loopback by default so a development server is not exposed; containers set "0.0.0.0".
    public static let defaultHost = "127.0.0.1"
    /// The conventional alternate HTTP port.
    public static let defaultPort = 8080
    /// 8 MiB, from the issue: large enough for an evaluation batch, small enough to bound memory per request.
    public static let defaultMaxBodyBytes = 8 * 1024 * 1024
    /// 32 KiB: nginx's large_client_header_buffers (4 × 8k).
    public static let defaultMaxHeaderBytes = 32 * 1024
    /// 100 fields: Apache httpd's LimitRequestFields.
    public static let defaultMaxHeaderCount = 100
    /// 8 KiB: nginx's single large header buffer, which bounds its request line (Apache's LimitRequestLine is 8190).
    public static let defaultMaxURLLength = 8 * 1024
    /// 10 s for the whole head, a deadline from its first byte that bytes do not extend: a head is at most 32 KiB,
    /// which any client sends in milliseconds, so a trickling client holds a connection 10 s, not nginx's 60 s
    /// (Apache's mod_reqtimeout gives 20 s).
    public static let defaultHeaderTimeout = Duration.seconds(10)
    /// 10 s for a body from the end of its head, extended by one second per ``defaultBodyMinimumRate`` bytes that
    /// arrive (mod_reqtimeout's `body=10,MinRate=...` scheme): a small body must arrive within 10 s, a large one at
    /// the minimum rate, so trickling bytes buys no time.
    public static let defaultBodyTimeout = Duration.seconds(10)
    /// 128 KiB/s: an 8 MiB body may take 10 + 64 s, about the flat 60 s this server allowed before; a client
    /// slower than a 1 Mbit/s link on average is cut off.
    public static let defaultBodyMinimumRate = 128 * 1024
    /// 60 s from a complete request to its answer, after which the handler is cancelled and the client gets 504:
    /// a generation (30 s with retries and fallbacks) plus its judges fit, and a load balancer's usual 60 s idle
    /// timeout would have given up by then anyway.
    public static let defaultRequestTimeout = Duration.seconds(60)
    /// Open connections per event loop when the file-descriptor limit allows: nginx's worker_connections (512).
    public static let defaultConnectionsPerLoop = 512
    /// File descriptors left for everything but client connections: Redis and provider connections, files.
    public static let reservedDescriptors = 256
    /// 75 s between keep-alive requests: nginx's keepalive_timeout (longer than common load balancers' 60 s, so
    /// the balancer closes first and never reuses a connection the server is closing).
    public static let defaultIdleTimeout = Duration.seconds(75)
    /// 60 s without write progress: nginx's send_timeout.
    public static let defaultWriteTimeout = Duration.seconds(60)
    /// 511: nginx's listen backlog on Linux.
    public static let defaultBacklog: Int32 = 511

    public var host: String
    public var port: Int
    /// Event-loop threads, each with its own epoll and SO_REUSEPORT listening socket.
    public var eventLoopCount: Int
    public var maxBodyBytes: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxURLLength: Int
    /// Deadline for a request's head, from its first byte (not reset per byte: slowloris is cut off).
    public var headerTimeout: Duration
    /// Deadline for a request's body, from the end of its head.
    public var bodyTimeout: Duration
    /// How long a keep-alive connection may sit between requests.
    public var idleTimeout: Duration
    /// How long a response write may make no progress.
    public var writeTimeout: Duration
    /// Bytes per second of body that extend ``bodyTimeout`` by a second.
    public var bodyMinimumRate: Int
    /// How long a handler may take from a complete request; then it is cancelled and the client gets 504.
    public var requestTimeout: Duration
    /// Connections open at once across all loops; a new connection beyond them closes an idle keep-alive
    /// connection to make room, or is closed at once when there is none.
    public var maxConnections: Int
    public var backlog: Int32

    public init(
        host: String = defaultHost,
        port: Int = defaultPort,
        eventLoopCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        maxBodyBytes: Int = defaultMaxBodyBytes,
        maxHeaderBytes: Int = defaultMaxHeaderBytes,
        maxHeaderCount: Int = defaultMaxHeaderCount,
        maxURLLength: Int = defaultMaxURLLength,
        headerTimeout: Duration = defaultHeaderTimeout,
        bodyTimeout: Duration = defaultBodyTimeout,
        idleTimeout: Duration = defaultIdleTimeout,
        writeTimeout: Duration = defaultWriteTimeout,
        bodyMinimumRate: Int = defaultBodyMinimumRate,
        requestTimeout: Duration = defaultRequestTimeout,
        maxConnections: Int? = nil,
        backlog: Int32 = defaultBacklog
    ) {
        self.host = host
        self.port = port
        self.eventLoopCount = max(1, eventLoopCount)
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxURLLength = maxURLLength
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.bodyMinimumRate = max(1, bodyMinimumRate)
        self.requestTimeout = requestTimeout
        self.maxConnections = max(1, maxConnections ?? Self.defaultMaxConnections(eventLoops: self.eventLoopCount))
        self.backlog = backlog
    }

    /// ``defaultConnectionsPerLoop`` per event loop (so per core by default), but never more than the process's
    /// file-descriptor limit leaves after ``reservedDescriptors``: what the pod can hold without EMFILE.
    public static func defaultMaxConnections(eventLoops: Int) -> Int {
        var limit = rlimit()
        let descriptors = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
        return max(1, min(defaultConnectionsPerLoop * max(1, eventLoops), descriptors - reservedDescriptors))
    }

    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(
            maxBodyBytes: maxBodyBytes, maxHeaderBytes: maxHeaderBytes, maxHeaderCount: maxHeaderCount,
            maxURLLength: maxURLLength)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max : whole &+ UInt64(attoseconds / 1_000_000_000)
    }
}
