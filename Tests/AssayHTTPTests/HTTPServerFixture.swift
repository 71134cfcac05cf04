import AssayCore
import TestSupport

@testable import AssayHTTP

/// Records observer callbacks.
final class RecordingObserver: HTTPServerObserver {
    let finished = Guarded<[(method: String, route: String, status: Int)]>([])
    func requestStarted() {}
    func requestFinished(method: String, route: String, status: Int, durationSeconds: Double, bodyBytes: Int) {
        finished.withLock { $0.append((method, route, status)) }
    }
}

/// Small limits and timeouts so every limit is cheap to hit and every timeout quick to observe.
let testConfiguration = HTTPServerConfiguration(
    port: 0, eventLoopCount: 2, maxBodyBytes: 1024, maxHeaderBytes: 512, maxHeaderCount: 8, maxURLLength: 64,
    headerTimeout: .milliseconds(300), bodyTimeout: .milliseconds(300), idleTimeout: .milliseconds(300),
    writeTimeout: .seconds(2))

func makeRouter(gate: Gate? = nil, started: Gate? = nil) -> Router {
    var router = Router()
    router.add("GET", "/hello") { _, _ in .text("hello") }
    router.add("GET", "/items/{id}") { _, parameters in .text("item \(parameters["id"] ?? "?")") }
    router.add("DELETE", "/items/{id}") { _, _ in HTTPResponse(status: 204) }
    router.add("POST", "/echo") { request, _ in HTTPResponse(status: 200, body: request.body) }
    router.add("GET", "/path") { request, _ in .text(request.target) }
    router.add("GET", "/sleep") { request, _ in
        try? await Task.sleep(for: .milliseconds(Int(request.query ?? "0") ?? 0))
        return .text(request.target)
    }
    router.add("GET", "/gated") { _, _ in
        started?.open()
        await gate?.wait()
        return .text("released")
    }
    return router
}

func withServer(
    _ configuration: HTTPServerConfiguration = testConfiguration, router: Router = makeRouter(),
    observer: (any HTTPServerObserver)? = nil, _ body: (HTTPServer, Int) async throws -> Void
) async throws {
    let server = HTTPServer(configuration: configuration, responder: router, observer: observer)
    let port = try server.start()
    do {
        try await body(server, port)
    } catch {
        await server.shutdown(gracePeriod: .zero)
        throw error
    }
    await server.shutdown(gracePeriod: .zero)
}
