import AssayCore
import AssayHTTP
import AssayKube
import Dispatch

/// The real API server behind the front (`--upstream-kubeconfig`): requests go to it over the
/// kubeconfig's TLS with its client certificate (or token), through the project's
/// ``KubeCurlTransport``, and are answered to the listener's blocking connection threads.
final class Upstream: Sendable {
    /// The server's base URL, `https://127.0.0.1:PORT`.
    let server: String
    private let transport: KubeCurlTransport
    private let bearer: String?

    /// A watch lasts as long as its client keeps it (the server ends it after `timeoutSeconds`), so
    /// forwarded watches get no transfer timeout of their own beyond this bound.
    static let watchTimeout: Duration = .seconds(24 * 3600)
    /// How long a streamed body may stay silent before the listener checks that its client is still there.
    static let idlePoll: DispatchTimeInterval = .seconds(1)

    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var json: JSONValue? { try? JSONCodec.parse(body) }
    }

    init(kubeconfig path: String) throws(KubeError) {
        let connection = try KubeConfig.load(paths: [path]).connection()
        server = connection.server
        transport = KubeCurlTransport(tls: connection.tls)
        if case .token(let token) = connection.auth { bearer = token.revealedText } else { bearer = nil }
    }

    private func request(
        _ method: String, _ target: String, headers: [(name: String, value: String)], body: [UInt8], watch: Bool
    ) -> ClientRequest {
        var headers = headers
        if let bearer { headers.append((name: "Authorization", value: "Bearer \(bearer)")) }
        return ClientRequest(
            method: method, url: server + target, headers: headers, body: body,
            timeout: watch ? Self.watchTimeout : nil)
    }

    /// One whole exchange. A failure to reach the server is a 503 `Status`, as an aggregator answers
    /// when its backend is down.
    func send(
        _ method: String, _ target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) -> Response {
        let request = request(method, target, headers: headers, body: body, watch: false)
        return Self.blocking { [transport] in
            do {
                let response = try await transport.send(request)
                return Response(status: response.status, headers: response.headers, body: response.body)
            } catch {
                return Self.unavailable(error)
            }
        }
    }

    /// JSON body of a GET, or nil when it is not a 200.
    func get(_ target: String) -> JSONValue? {
        let response = send("GET", target, headers: [(name: "Accept", value: "application/json")])
        return response.status == 200 ? response.json : nil
    }

    /// A response whose body is passed on as it arrives (watches). Non-200 answers come whole.
    func stream(_ method: String, _ target: String, headers: [(name: String, value: String)]) -> EmulatorReply {
        let request = request(method, target, headers: headers, body: [], watch: true)
        let pump = StreamPump()
        let head: StreamHead = Self.blocking { [transport] in
            do {
                let response = try await transport.stream(request)
                pump.start(response.body)
                return .streaming(status: response.status, headers: response.headers)
            } catch {
                return .failed(Self.unavailable(error))
            }
        }
        switch head {
        case .failed(let response):
            return .full(status: response.status, headers: Self.passed(response.headers), body: response.body)
        case .streaming(let status, let headers):
            return .stream(
                status: status, headers: Self.passed(headers), next: { pump.next() }, close: { pump.cancel() })
        }
    }

    private enum StreamHead: Sendable {
        case streaming(status: Int, headers: [(name: String, value: String)])
        case failed(Response)
    }

    /// Response headers a client needs: the body's type and the server's warnings.
    static func passed(_ headers: [(name: String, value: String)]) -> [(String, String)] {
        headers.filter { ["content-type", "warning"].contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
    }

    private static func unavailable(_ error: any Error) -> Response {
        let status = APIError(
            code: 503, reason: "ServiceUnavailable", message: "the real API server did not answer: \(error)")
        return Response(
            status: 503, headers: [(name: "Content-Type", value: "application/json")],
            body: JSONCodec.bytes(status.status))
    }

    /// Runs `work` on Swift's pool and waits for it on this (listener) thread.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Guarded<T?>(nil)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}

/// Carries a streamed body from the transport's task to the listener's thread, and cancels the
/// transfer when the listener's client goes away.
private final class StreamPump: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var ended = false
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Guarded(State())
    private let arrived = DispatchSemaphore(value: 0)

    func start(_ body: AsyncThrowingStream<[UInt8], any Error>) {
        let task = Task {
            do {
                for try await chunk in body { push(chunk) }
            } catch {}
            state.withLock { $0.ended = true }
            arrived.signal()
        }
        let cancelNow = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    private func push(_ chunk: [UInt8]) {
        state.withLock { $0.chunks.append(chunk) }
        arrived.signal()
    }

    func next() -> StreamChunk {
        if let chunk = take() { return chunk }
        _ = arrived.wait(timeout: .now() + Upstream.idlePoll)
        return take() ?? .idle
    }

    private func take() -> StreamChunk? {
        state.withLock { state in
            if !state.chunks.isEmpty { return .data(state.chunks.removeFirst()) }
            return state.ended ? .end : nil
        }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
