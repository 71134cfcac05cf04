import AssayHTTP

/// The emulator on Common's HTTP server: what `main.swift` runs and tests start in-process.
struct EmulatorServer: Sendable {
    /// One event loop is plenty for tests and demos; the emulator's work is waiting.
    static let eventLoopCount = 1
    /// A hung provider never answers: no request deadline of the server may answer in its place.
    static let requestTimeout = Duration.seconds(24 * 3600)

    let emulator: ProviderEmulator
    let server: HTTPServer
    let port: Int

    static func start(_ options: EmulatorOptions) throws(EmulatorOptionsError) -> EmulatorServer {
        let emulator = ProviderEmulator(behaviour: options.behaviour, apiKey: options.apiKey, seed: options.seed)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: options.host, port: options.port, eventLoopCount: eventLoopCount,
                requestTimeout: requestTimeout),
            responder: emulator)
        do {
            let port = try server.start()
            return EmulatorServer(emulator: emulator, server: server, port: port)
        } catch {
            throw .server("\(error)")
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Releases held requests, then stops the server.
    func stop() async {
        emulator.state.releaseHeld()
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
