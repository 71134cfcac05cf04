import AssayCore
import AssayHTTP
import AssayRedis
import Foundation
import Gateway
import Providers
import TestSupport
import Testing

@testable import Evaluator
@testable import Scoring

extension ProviderEmulatorProcess {
    /// A provider config for this emulator (OpenAI wire format, model `m-<name>`) as request JSON.
    func provider(_ name: String, extra: String = "") -> String {
        #"{"type": "openai", "name": "\#(name)", "model": "m-\#(name)", "baseURL": "\#(openAIBaseURL)"\#(extra)}"#
    }
}

/// The evaluator's HTTP surface in-process, with a provider pool the test configures. The gateway
/// tests define their providers inline in requests, as `--allow-inline-providers` permits (such
/// providers send no key); the security tests configure a catalog and turn that off.
final class GatewayApp: Sendable {
    let server: HTTPServer
    let port: Int
    let registry: MetricsRegistry
    let pool: ProviderPool
    let http: CurlHTTPClient

    init(
        configuration: ProviderPool.Configuration = .init(), redisURL: String? = nil,
        providers: ProviderCatalog = ProviderCatalog(), allowInlineProviders: Bool = true,
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
            service: EvaluationService(
                registry: registry, providers: providers, allowInlineProviders: allowInlineProviders, pool: pool,
                defaultJudge: defaultJudge),
            registry: registry)
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

/// The value at `fraction` (0...1) of sorted `values`.
func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded(.up)))]
}

/// Runs `promtool check metrics` on an exposition; returns its exit status and complaints.
func promtoolCheck(_ exposition: [UInt8]) throws -> (status: Int32, complaints: String) {
    let result = try Command.run(
        "/usr/bin/promtool", ["check", "metrics"], input: String(decoding: exposition, as: UTF8.self))
    return (result.status, result.combined.trimmingCharacters(in: .whitespacesAndNewlines))
}
