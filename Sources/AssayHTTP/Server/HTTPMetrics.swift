import AssayCore

/// The HTTP server's metric families, registered on one registry, and the two calls the server's
/// request observer makes. `route` must be the matched route pattern (or a fixed placeholder for
/// unmatched paths), never the raw path, so that the number of series stays bounded.
public struct HTTPMetrics: HTTPServerObserver {
    /// Request latency buckets in seconds: the client libraries' defaults (5 ms to 10 s) extended
    /// down to 0.5 ms, since small evaluations are answered in well under a millisecond.
    public static let durationBuckets: [Double] = [0.0005, 0.001, 0.0025] + Histogram.defaultBuckets

    /// Request body size buckets in bytes: 256 B to 16 MiB by powers of 4 (16 MiB is above the
    /// largest body the evaluator accepts, so only oversized requests land in `+Inf`).
    public static let bodyBytesBuckets = Histogram.exponentialBuckets(start: 256, factor: 4, count: 9)

    /// `assay_http_requests_total{route,method,code}`
    public let requests: CounterFamily
    /// `assay_http_request_duration_seconds{route,method}`
    public let requestDuration: HistogramFamily
    /// `assay_http_inflight_requests`
    public let inflight: Gauge
    /// `assay_http_request_body_bytes{route,method}`
    public let requestBodyBytes: HistogramFamily
    /// `assay_http_connections_rejected_total`
    public let connectionsRejected: Counter

    /// The children for one (route, method, status), looked up under one lock per request.
    private let children: Children

    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private struct Entry {
        var requests: Counter
        var duration: Histogram
        var bodyBytes: Histogram
    }

    private final class Children: Sendable {
        let table = Guarded<[Key: Entry]>([:])
    }

    public init(registry: MetricsRegistry) {
        requests = registry.counter(
            "assay_http_requests_total", help: "HTTP requests answered, by route, method and status code.",
            labels: ["route", "method", "code"])
        requestDuration = registry.histogram(
            "assay_http_request_duration_seconds",
            help: "Time from a request's first byte to the end of its response, in seconds.",
            labels: ["route", "method"], buckets: Self.durationBuckets)
        inflight = registry.gauge(
            "assay_http_inflight_requests", help: "HTTP requests being handled right now."
        ).labels()
        requestBodyBytes = registry.histogram(
            "assay_http_request_body_bytes", help: "Size of HTTP request bodies in bytes.",
            labels: ["route", "method"], buckets: Self.bodyBytesBuckets)
        connectionsRejected = registry.counter(
            "assay_http_connections_rejected_total",
            help: "Connections closed on arrival because the server held its maximum (--max-connections)."
        ).labels()
        children = Children()
    }

    /// A connection was refused at the connection cap.
    public func connectionRejected() {
        connectionsRejected.inc()
    }

    /// A request has been read and is about to be handled.
    public func requestStarted() {
        inflight.inc()
    }

    /// A response has been written (or the request abandoned) after `requestStarted()`.
    public func requestFinished(method: String, route: String, status: Int, durationSeconds: Double, bodyBytes: Int) {
        inflight.dec()
        let entry = children.table.withLock { table in
            let key = Key(route: route, method: method, status: status)
            if let entry = table[key] { return entry }
            let entry = Entry(
                requests: requests.labels(route, method, String(status)),
                duration: requestDuration.labels(route, method),
                bodyBytes: requestBodyBytes.labels(route, method))
            table[key] = entry
            return entry
        }
        entry.requests.inc()
        entry.duration.observe(durationSeconds)
        entry.bodyBytes.observe(Double(bodyBytes))
    }
}
