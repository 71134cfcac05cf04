/// Receives request lifecycle events, e.g. for metrics. Called on event-loop threads, so keep it cheap.
public protocol HTTPServerObserver: Sendable {
    /// A complete request was handed to the responder (or the server is about to reject one).
    func requestStarted()
    /// A response was handed to the socket, including server-generated 400/408/413/414/431 (route "unmatched").
    /// `durationSeconds` runs from the complete request (or the rejection) to the response being handed to the
    /// socket; `bodyBytes` is the response body's size.
    func requestFinished(method: String, route: String, status: Int, durationSeconds: Double, bodyBytes: Int)
    /// A new connection was closed at once because the server holds its maximum of connections.
    func connectionRejected()
}

extension HTTPServerObserver {
    public func connectionRejected() {}
}
