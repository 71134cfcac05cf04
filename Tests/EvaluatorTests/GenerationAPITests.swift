import AssayCore
import Foundation
import TestSupport
import Testing

@testable import Evaluator
@testable import Scoring

/// `/v1/evaluate` with a `target`: the evaluator generates the output through the provider
/// emulator, then scores it.
@Suite("Generation API", .serialized)
struct GenerationAPITests {
    @Test("a target generates the output from the prompt, scores it and reports the generation")
    func generatesThenScores() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let (status, body) = try await app.post(
            "/v1/evaluate",
            #"""
            {"target": {"providers": [\#(emulator.provider("primary"))], "prompt": "Capital of {{input}}? Hint: {{reference}}"},
             "input": "France", "reference": "Paris",
             "criteria": [{"type": "contains", "value": "Capital of France? Hint: Paris"}]}
            """#)
        #expect(status == 200, "\(body)")
        #expect(body["passed"] == true)
        let generation = try #require(body["generation"])
        #expect(generation["output"] == "echo: Capital of France? Hint: Paris")
        #expect(generation["provider"] == "primary")
        #expect(generation["model"]?.stringValue?.isEmpty == false)
        #expect((generation["usage"]?["inputTokens"]?.doubleValue ?? 0) > 0)
        #expect((generation["usage"]?["outputTokens"]?.doubleValue ?? 0) > 0)
        #expect((generation["latencyMs"]?.doubleValue ?? -1) >= 0)
        #expect(generation["attempts"]?.arrayValue?.map { $0["outcome"] } == ["ok"])
        #expect(
            app.metricsText.contains(
                #"assay_provider_requests_total{provider="primary",model="m-primary",outcome="ok"} 1"#))
        #expect(app.metricsText.contains(#"assay_provider_tokens_total{provider="primary",direction="output"}"#))
    }

    @Test(
        "exactly one of output and target, and provider configs are validated with their paths",
        arguments: [
            (#"{"output": "x", "target": {"providers": [{"type": "openai", "model": "m"}], "prompt": "p"}"#, "target"),
            (#"{"input": "x""#, "output"),
            (
                #"{"target": {"providers": [{"type": "openai", "model": "m"}, {"type": "openai"}], "prompt": "p"}"#,
                "target.providers[1].model"
            ),
            (#"{"target": {"providers": [], "prompt": "p"}"#, "target.providers"),
            (#"{"target": {"providers": [{"type": "openai", "model": "m"}], "prompt": "say {{input}}"}"#, "input"),
            (
                #"{"target": {"providers": [{"type": "openai", "model": "m", "rateLimit": {"burst": 1}}], "prompt": "p"}"#,
                "target.providers[0].rateLimit.requestsPerSecond"
            ),
        ])
    func rejectsBadTargets(prefix: String, path: String) async throws {
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let body = prefix + #", "criteria": [{"type": "contains", "value": "x"}]}"#
        let (status, problem) = try await app.post("/v1/evaluate", body)
        #expect(status == 422)
        #expect(problem["errors"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == [path], "\(problem)")
    }

    @Test("when every provider fails the answer is 502 problem+json listing each attempt's outcome")
    func everyProviderFails() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        try await emulator.behave(#"{"errorRate": 1, "errorStatus": 503}"#)
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let closedPort = try LoopbackPort.free()
        let (status, problem) = try await app.post(
            "/v1/evaluate",
            #"""
            {"target": {"prompt": "hi", "providers": [
               \#(emulator.provider("flaky", extra: #", "maxRetries": 1"#)),
               {"type": "anthropic", "model": "claude", "baseURL": "http://127.0.0.1:\#(closedPort)", "maxRetries": 0}]},
             "criteria": [{"type": "contains", "value": "x"}]}
            """#)
        #expect(status == 502)
        #expect(problem["type"] == "urn:assay:problem:generation-failed")
        let attempts = try #require(problem["attempts"]?.arrayValue)
        #expect(attempts.map { $0["provider"] } == ["flaky", "flaky", "anthropic"])
        #expect(attempts.map { $0["outcome"] } == ["server_error", "server_error", "connection_error"])
        #expect(try await emulator.stats(route: "openai")["errors"] == 2)
        #expect(
            app.metricsText.contains(#"assay_fallbacks_total{from="flaky",to="anthropic",reason="server_error"} 1"#))
    }

    @Test("with every gateway metric populated, /metrics still passes promtool check metrics")
    func gatewayMetricsPassPromtool() async throws {
        let redis = try await RedisServer.start()
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp(redisURL: redis.urlString)
        defer { Task { await app.stop() } }
        let limit = #", "rateLimit": {"requestsPerSecond": 100, "burst": 10, "tokensPerMinute": 100000}"#
        let closed = try LoopbackPort.free()
        let (status, _) = try await app.post(
            "/v1/evaluate",
            #"""
            {"target": {"prompt": "hi", "providers": [
               {"type": "openai", "name": "down", "model": "m", "baseURL": "http://127.0.0.1:\#(closed)", "maxRetries": 0},
               \#(emulator.provider("up", extra: limit))]},
             "criteria": [{"type": "contains", "value": "hi"}]}
            """#)
        #expect(status == 200)
        let response = try await app.get("/metrics")
        let text = String(decoding: response.body, as: UTF8.self)
        for family in [
            "assay_provider_requests_total", "assay_provider_request_duration_seconds_bucket",
            "assay_provider_tokens_total", "assay_circuit_state", "assay_ratelimit_wait_seconds_bucket",
            "assay_ratelimit_degraded", "assay_fallbacks_total", "assay_circuit_transitions_total",
        ] {
            #expect(text.contains(family), "missing \(family)")
        }
        let check = try promtoolCheck(response.body)
        #expect(check.status == 0 && check.complaints.isEmpty, "promtool: \(check.complaints)")
    }

    @Test("GET /v1/providers shows each used provider's breaker state, failure rate and rate limit")
    func listsProviders() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let limited = emulator.provider("limited", extra: #", "rateLimit": {"requestsPerSecond": 5, "burst": 2}"#)
        let (status, _) = try await app.post(
            "/v1/evaluate",
            #"{"target": {"providers": [\#(limited)], "prompt": "hi"}, "criteria": [{"type": "contains", "value": "hi"}]}"#
        )
        #expect(status == 200)
        let response = try await app.get("/v1/providers")
        #expect(response.status == 200)
        let providers = try #require(try JSONParser.parse(response.body)["providers"]?.arrayValue)
        #expect(providers.count == 1)
        let entry = try #require(providers.first)
        #expect(entry["name"] == "limited")
        #expect(entry["circuit"]?["state"] == "closed")
        #expect(entry["recentFailureRate"] == 0)
        #expect(entry["recentCalls"] == 1)
        #expect(entry["rateLimit"]?["requestsPerSecond"] == 5)
        #expect(entry["rateLimit"]?["shared"] == false)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("apiKey"))
    }

    @Test("a batch generates each item's output and answers a failed generation in place")
    func batchGenerates() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let good =
            #"{"target": {"providers": [\#(emulator.provider("ok"))], "prompt": "{{input}}"}, "input": "one", "criteria": [{"type": "contains", "value": "one"}]}"#
        let bad =
            #"{"target": {"providers": [{"type": "openai", "model": "m", "baseURL": "http://127.0.0.1:\#(try LoopbackPort.free())", "maxRetries": 0}], "prompt": "x"}, "criteria": [{"type": "contains", "value": "x"}]}"#
        let (status, body) = try await app.post("/v1/evaluate/batch", #"{"items": [\#(good), \#(bad)]}"#)
        #expect(status == 200)
        #expect(body["passed"] == 1)
        #expect(body["failed"] == 1)
        let results = try #require(body["results"]?.arrayValue)
        #expect(results.first?["generation"]?["output"] == "echo: one")
        #expect(results.last?["status"] == 502)
    }
}
