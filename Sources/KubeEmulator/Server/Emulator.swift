import AssayCore
import Foundation

/// A running emulator: the store, the API handler and the listener, started together.
final class Emulator: Sendable {
    let store: Store
    let server: APIServer
    let listener: HTTPListener

    var port: UInt16 { listener.port }

    init(
        port: UInt16 = 0, configuration: APIServer.Configuration = APIServer.Configuration(),
        historyCapacity: Int = Store.defaultHistoryCapacity
    )
        throws(HTTPListener.StartError)
    {
        let store = Store(historyCapacity: historyCapacity, builtinSchemas: configuration.openAPISchemas)
        // The listener has to exist before the server knows its address, so the handler indirects
        // through a box filled right after.
        let box = ServerBox()
        listener = try HTTPListener(port: port) { request in box.server!.handle(request) }
        var configuration = configuration
        configuration.serverAddress = "127.0.0.1:\(listener.port)"
        server = APIServer(store: store, configuration: configuration)
        box.set(server)
        self.store = store
        listener.start()
    }

    /// Writes a kubeconfig for this emulator to `path`.
    func writeKubeconfig(to path: String) throws {
        try Kubeconfig.yaml(port: port).write(toFile: path, atomically: true, encoding: .utf8)
    }

    func stop() {
        server.front?.stop()
        listener.stop()
    }
}

/// Holds the server for the listener's handler; written once before the first request.
private final class ServerBox: Sendable {
    private let mutex = Guarded<APIServer?>(nil)
    var server: APIServer? { mutex.withLock { $0 } }
    func set(_ server: APIServer) { mutex.withLock { $0 = server } }
}
