import AssayCore
import Foundation

/// A running `assay-provider-emulator` (the OpenAI, Azure OpenAI, Anthropic and Gemini wire
/// formats on loopback, with injectable faults), stopped by ``stop()``.
public final class ProviderEmulatorProcess: Sendable {
    public static var executable: String? { BuiltExecutable.path(BuiltExecutable.providerEmulator) }

    public let port: Int
    public let logFile: String
    private let process: ChildProcess

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The `baseURL` an `openai` provider in a suite or request uses.
    public var openAIBaseURL: String { baseURL + "/v1" }

    /// Starts the emulator on a free port; `arguments` are its fault flags (`--latency-ms 50`,
    /// `--error-rate 0.2`, ...). Its output goes to `logFile` (default: a temporary file).
    public static func start(arguments: [String] = [], logFile: String? = nil) async throws -> ProviderEmulatorProcess {
        guard let executable else { throw ChildProcess.Failure.spawn(BuiltExecutable.providerEmulator, ENOENT) }
        let log = logFile ?? NSTemporaryDirectory() + "assay-provider-emulator-\(UUID().uuidString).log"
        let process = try ChildProcess(
            executable: executable, arguments: ["--port", "0"] + arguments,
            environment: ChildProcess.cleanEnvironment(), logFile: log)
        let line = try await process.waitForLine("the provider emulator's port") { $0.hasPrefix("listening on ") }
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.kill()
            throw ChildProcess.Failure.exited("a port in \(line)", .exited(0), tail: process.tail())
        }
        return ProviderEmulatorProcess(process: process, port: port, logFile: log)
    }

    private init(process: ChildProcess, port: Int, logFile: String) {
        self.process = process
        self.port = port
        self.logFile = logFile
    }

    deinit { process.signal(SIGKILL) }

    /// `PUT /emulator/behaviour` with `json` (latency, error rates, ... as the emulator documents).
    public func setBehaviour(_ json: String) async throws -> LocalHTTP.Response {
        try await LocalHTTP.send("PUT", baseURL + "/emulator/behaviour", body: json)
    }

    /// ``setBehaviour(_:)`` that throws ``Unexpected`` unless the emulator accepts the behaviour (200).
    public func behave(_ json: String) async throws {
        let response = try await setBehaviour(json)
        guard response.status == 200 else {
            throw Unexpected("the behaviour \(json) was refused: \(response.status) \(response.body)")
        }
    }

    /// `GET /emulator/stats`, parsed.
    public func stats() async throws -> JSONValue {
        try JSONParser.parse(Array(try await LocalHTTP.get(baseURL + "/emulator/stats").body.utf8))
    }

    /// One route's counters from ``stats()`` (`requests`, `ok`, `errors`, `rateLimited`, `hung`,
    /// ...); `route` is a wire format: `openai`, `azure`, `anthropic`, `gemini`. Throws
    /// ``Unexpected`` when the stats have no such route.
    public func stats(route: String) async throws -> JSONValue {
        let stats = try await stats()
        guard let counters = stats["routes"]?[route] else { throw Unexpected("no route \(route) in \(stats)") }
        return counters
    }

    /// An answer of the emulator's control endpoints that a test did not expect.
    public struct Unexpected: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public func tail(_ count: Int = 40) -> String { process.tail(count) }

    /// SIGKILL, waiting until it is gone.
    public func stop() { process.kill() }
}
