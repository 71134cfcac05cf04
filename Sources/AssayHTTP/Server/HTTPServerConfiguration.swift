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
    /// 60 s for the whole head: nginx's client_header_timeout, applied as a deadline from the first byte.
    public static let defaultHeaderTimeout = Duration.seconds(60)
    /// 60 s for the whole body: nginx's client_body_timeout value, applied as a deadline (like Go's ReadTimeout)
    /// so a client trickling bytes cannot hold the connection; 8 MiB in 60 s is a floor of ~140 KB/s.
    public static let defaultBodyTimeout = Duration.seconds(60)
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
        self.backlog = backlog
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
