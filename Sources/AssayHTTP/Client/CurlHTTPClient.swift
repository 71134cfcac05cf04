/// HTTP/1.1 and HTTPS client on libcurl's multi interface.
///
/// - Connections are kept alive and reused per host (libcurl's connection cache in the multi
///   handle); ``ClientResponse/newConnections`` shows whether a request opened one.
/// - TLS verifies peers against the system CA bundle, or ``HTTPClientConfiguration/caFile``.
/// - Proxies come from `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`, read by libcurl
///   itself (note: upper-case `HTTP_PROXY` is ignored by design), or from the configuration.
/// - Cancelling the calling task aborts the transfer and frees its handle at once.
///
/// Create one per process (or per isolated component) and share it; `deinit` stops its thread.
public final class CurlHTTPClient: HTTPTransport {
    public let configuration: HTTPClientConfiguration
    private let loop: CurlMultiLoop

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        self.configuration = configuration
        loop = try CurlMultiLoop(configuration: configuration)
    }

    deinit { loop.shutdown() }

    public func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
        let ticket = CurlTicket()
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.submit(CurlJob(request: request, ticket: ticket, continuation: continuation))
            }
        } onCancel: {
            ticket.cancel()
            loop.wake()
        }
        return try result.get()
    }

    /// Transfers in flight right now (for tests and metrics).
    public var activeTransfers: Int { loop.activeTransfers }
    /// Easy handles parked for reuse.
    public var idleHandles: Int { loop.idleHandles }
}
