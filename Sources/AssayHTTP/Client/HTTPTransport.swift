/// Sends one HTTP request and returns the complete response.
///
/// The seam between wire formats and sockets: ``CurlHTTPClient`` in production, a closure-backed
/// fake in tests of request encoding and error mapping.
public protocol HTTPTransport: Sendable {
    func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse
}
