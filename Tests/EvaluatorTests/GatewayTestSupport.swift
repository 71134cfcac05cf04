import Common
import Foundation
import Testing

@testable import Evaluator
@testable import Scoring

/// A provider emulator process for gateway tests, with its behaviour and stats controls.
final class EmulatorProcess: Sendable {
    let process: ServerProcess
    let port: Int
    let http: CurlHTTPClient

    static func start() async throws -> EmulatorProcess {
        let process = try ServerProcess("assay-provider-emulator", arguments: ["--port", "0"])
        let line = try await process.waitForLine("the emulator's port") { $0.hasPrefix("listening on ") }
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0) })
        return EmulatorProcess(process: process, port: port, http: try CurlHTTPClient())
    }

    private init(process: ServerProcess, port: Int, http: CurlHTTPClient) {
        self.process = process
        self.port = port
        self.http = http
    }

    deinit { process.signal(SIGKILL) }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A provider config for this emulator (OpenAI wire format) as request JSON.
    func provider(_ name: String, extra: String = "") -> String {
        #"{"type": "openai", "name": "\#(name)", "model": "m-\#(name)", "baseURL": "\#(baseURL)/v1"\#(extra)}"#
    }

    func setBehaviour(_ json: String) async throws {
        let response = try await http.send(
            ClientRequest(
                method: "PUT", url: baseURL + "/emulator/behaviour", headers: [("Content-Type", "application/json")],
                body: Array(json.utf8)))
        #expect(response.status == 200, "emulator behaviour update: \(response.text)")
    }

    /// `GET /emulator/stats` for the OpenAI route: requests, ok, errors, rateLimited, hung...
    func stats() async throws -> JSONValue {
        let response = try await http.send(ClientRequest(method: "GET", url: baseURL + "/emulator/stats"))
        let json = try JSONParser.parse(response.body)
        return try #require(json["routes"]?["openai"])
    }
}

/// The evaluator's HTTP surface in-process, with a provider pool the test configures.
final class GatewayApp: Sendable {
    let server: HTTPServer
    let port: Int
    let registry: MetricsRegistry
    let pool: ProviderPool
    let http: CurlHTTPClient

    init(
        configuration: ProviderPool.Configuration = .init(), redisURL: String? = nil,
        defaultJudge: [ProviderConfig]? = nil
    ) throws {
        registry = EvaluatorApp.makeRegistry()
        http = try CurlHTTPClient()
        let redis = try redisURL.map { url in
            RedisClient(
                RedisClient.Configuration(
                    url: try RedisURL(parsing: url), connections: 2, connectTimeout: .milliseconds(300),
                    commandTimeout: .seconds(1)))
        }
        pool = ProviderPool(
            configuration: configuration, transport: try CurlHTTPClient(), redis: redis,
            metrics: ProviderMetrics(registry: registry))
        let app = EvaluatorApp(
            service: EvaluationService(registry: registry, pool: pool, defaultJudge: defaultJudge), registry: registry)
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.port = 0
        serverConfiguration.eventLoopCount = 2
        server = HTTPServer(
            configuration: serverConfiguration, responder: app.router, observer: HTTPMetrics(registry: registry))
        app.readiness.attach(server)
        port = try server.start()
    }

    func stop() async { await server.shutdown(gracePeriod: .seconds(1)) }

    func post(_ path: String, _ json: String) async throws -> (status: Int, body: JSONValue) {
        let response = try await http.send(
            ClientRequest(
                method: "POST", url: "http://127.0.0.1:\(port)\(path)", headers: [("Content-Type", "application/json")],
                body: Array(json.utf8)))
        return (response.status, try JSONParser.parse(response.body))
    }

    func get(_ path: String) async throws -> ClientResponse {
        try await http.send(ClientRequest(method: "GET", url: "http://127.0.0.1:\(port)\(path)"))
    }

    /// The first endpoint the pool keeps under `name`.
    func endpoint(_ name: String) throws -> ProviderEndpoint {
        try #require(pool.all.first { $0.name == name })
    }

    /// The metrics exposition as text.
    var metricsText: String { String(decoding: registry.render(), as: UTF8.self) }
}

/// Polls `condition` every 20 ms until it holds; fails the test after `timeout`.
func eventually(
    _ description: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(timeout) waiting for: \(description)")
    throw CancellationError()
}

/// The value at `fraction` (0...1) of sorted `values`.
func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded(.up)))]
}

/// Runs `promtool check metrics` on an exposition; returns its exit status and complaints.
func promtoolCheck(_ exposition: [UInt8]) throws -> (status: Int32, complaints: String) {
    let promtool = Process()
    promtool.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
    promtool.arguments = ["check", "metrics"]
    let input = Pipe()
    let output = Pipe()
    promtool.standardInput = input
    promtool.standardOutput = output
    promtool.standardError = output
    try promtool.run()
    input.fileHandleForWriting.write(Data(exposition))
    try input.fileHandleForWriting.close()
    let complaints = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    promtool.waitUntilExit()
    return (promtool.terminationStatus, complaints.trimmingCharacters(in: .whitespacesAndNewlines))
}
