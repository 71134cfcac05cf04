import AssayHTTP

/// The HTTP exchanges ``KubeClient`` needs: whole responses for ordinary requests
/// (``HTTPTransport``), and responses read as they arrive for watches.
///
/// ``KubeCurlTransport`` is the real one; tests of request building use a fake.
public protocol KubeTransport: HTTPTransport {
    /// Sends `request` and returns once the response head has arrived; the body follows in
    /// chunks. Ending the iteration early (or cancelling the task) aborts the transfer.
    func stream(_ request: ClientRequest) async throws(HTTPClientError) -> StreamingResponse
}

/// A response whose body is still arriving.
public struct StreamingResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// Body bytes in the chunks the network delivered them; finishes when the body ends and
    /// throws ``HTTPClientError`` when the transfer fails midway.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(
        status: Int, headers: [(name: String, value: String)] = [], body: AsyncThrowingStream<[UInt8], any Error>
    ) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body split at `\n` (watch streams are one JSON object per line); empty lines are
    /// skipped and a final line without `\n` is delivered. A line over `maxLine` bytes fails.
    public func lines(maxLine: Int = 64 << 20) -> AsyncThrowingStream<[UInt8], any Error> {
        let body = body
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending: [UInt8] = []
                do {
                    for try await chunk in body {
                        var start = chunk.startIndex
                        while let newline = chunk[start...].firstIndex(of: 0x0A) {
                            pending += chunk[start..<newline]
                            if !pending.isEmpty { continuation.yield(pending) }
                            pending.removeAll(keepingCapacity: true)
                            start = chunk.index(after: newline)
                        }
                        pending += chunk[start...]
                        if pending.count > maxLine {
                            throw KubeError.decoding("a watch event is longer than \(maxLine) bytes")
                        }
                    }
                    if !pending.isEmpty { continuation.yield(pending) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The whole body, up to `limit` bytes.
    public func collect(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes += chunk
            if bytes.count > limit { throw HTTPClientError.tooLarge(limit: limit) }
        }
        return bytes
    }
}
