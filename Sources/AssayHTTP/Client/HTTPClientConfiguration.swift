/// Settings shared by every request of one ``CurlHTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// Default connect timeout: a loopback or in-cluster connect takes milliseconds; 5 s covers
    /// a TLS handshake to a distant public API with room to spare.
    public static let defaultConnectTimeout: Duration = .seconds(5)
    /// Default total timeout: a non-streaming LLM answer of a few hundred tokens takes well under
    /// 30 s; provider configs normally set their own, shorter one.
    public static let defaultTimeout: Duration = .seconds(30)
    /// Default response limit, 8 MiB: chat answers are kilobytes; this only stops runaway bodies.
    public static let defaultMaxResponseBytes = 8 << 20
    /// Idle easy handles kept for reuse: 32 covers one replica's concurrent provider calls; bursts
    /// beyond it create handles that are freed after use. (Connections are cached separately, by
    /// libcurl's multi handle.)
    public static let defaultMaxIdleHandles = 32
    /// Default `User-Agent`.
    public static let defaultUserAgent = "assay/1"

    public var connectTimeout: Duration
    public var timeout: Duration
    public var maxResponseBytes: Int
    /// PEM file of trusted CAs (`CURLOPT_CAINFO`); `nil` uses the system bundle libcurl was
    /// built with. Mount a ConfigMap or Secret and point here for private CAs.
    public var caFile: String?
    /// Explicit proxy URL (`CURLOPT_PROXY`). `nil` lets libcurl read the environment itself:
    /// `http_proxy` (lower case only), `https_proxy`/`HTTPS_PROXY`, `all_proxy`/`ALL_PROXY`, and
    /// `no_proxy`/`NO_PROXY` for exclusions (see libcurl's CURLOPT_PROXY documentation).
    public var proxy: String?
    /// At most this many connections per host (`CURLMOPT_MAX_HOST_CONNECTIONS`); 0 is unlimited.
    public var maxConnectionsPerHost: Int
    public var maxIdleHandles: Int
    public var userAgent: String

    public init(
        connectTimeout: Duration = defaultConnectTimeout, timeout: Duration = defaultTimeout,
        maxResponseBytes: Int = defaultMaxResponseBytes, caFile: String? = nil, proxy: String? = nil,
        maxConnectionsPerHost: Int = 0, maxIdleHandles: Int = defaultMaxIdleHandles,
        userAgent: String = defaultUserAgent
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.caFile = caFile
        self.proxy = proxy
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxIdleHandles = maxIdleHandles
        self.userAgent = userAgent
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 so that libcurl never reads 0 as "no timeout".
    package var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
