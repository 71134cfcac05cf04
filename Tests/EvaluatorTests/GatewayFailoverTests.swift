import AssayResilience
import Foundation
import Gateway
import TestSupport
import Testing

@testable import Evaluator
@testable import Scoring

/// Fallback chains against two provider emulators: a primary that hangs, and a healthy secondary.
@Suite("Gateway failover", .serialized)
struct GatewayFailoverTests {
    static func request(primary: String, secondary: String) -> String {
        #"""
        {"target": {"providers": [\#(primary), \#(secondary)], "prompt": "q {{input}}"}, "input": "x",
         "criteria": [{"type": "contains", "value": "q x"}]}
        """#
    }

    @Test(
        "Failover: the primary hangs; every request succeeds through the secondary; once the breaker opens requests no longer wait for the timeout (p99 < 100 ms); when the primary recovers half-open probes close the breaker"
    )
    func failoverAndRecovery() async throws {
        let primary = try await ProviderEmulatorProcess.start()
        let secondary = try await ProviderEmulatorProcess.start()
        try await primary.behave(#"{"hang": true}"#)
        var configuration = ProviderPool.Configuration()
        // Short enough to watch the breaker recover, long enough to measure while it is open.
        configuration.circuitOpenDuration = .seconds(3)
        let app = try GatewayApp(configuration: configuration)
        defer { Task { await app.stop() } }
        let body = Self.request(
            primary: primary.provider("primary", extra: #", "timeoutSeconds": 0.2, "maxRetries": 0"#),
            secondary: secondary.provider("secondary"))

        // Until the breaker opens, each request waits the primary's 0.2 s timeout, then falls over.
        var waited = 0
        repeat {
            let (status, answer) = try await app.post("/v1/evaluate", body)
            #expect(status == 200, "\(answer)")
            #expect(answer["generation"]?["provider"] == "secondary")
            #expect(answer["generation"]?["attempts"]?.arrayValue?.map { $0["outcome"] } == ["timeout", "ok"])
            waited += 1
            try #require(waited <= 10, "the breaker should open after 5 consecutive timeouts")
        } while try app.endpoint("primary").breaker.state.kind != .open
        #expect(waited == CircuitBreakerConfiguration.defaultConsecutiveFailures)
        #expect(app.metricsText.contains(#"assay_circuit_state{provider="primary"} 2"#))

        // Open: the primary is skipped at once.
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Double] = []
                    for _ in 0..<25 {
                        let started = ContinuousClock.now
                        let (status, answer) = try await app.post("/v1/evaluate", body)
                        mine.append((ContinuousClock.now - started).inMilliseconds)
                        #expect(status == 200)
                        #expect(answer["generation"]?["attempts"]?.arrayValue?.first?["outcome"] == "circuit_open")
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(latencies.count == 100)
        #expect(percentile(latencies, 0.99) < 100, "p99 \(percentile(latencies, 0.99)) ms")
        #expect(try await primary.stats(route: "openai")["requests"] == 5)

        // The primary recovers: after the open time, probes succeed and close the breaker.
        try await primary.behave(#"{"hang": false}"#)
        try await eventually("the primary answers again", within: .seconds(15)) {
            let (status, answer) = try await app.post("/v1/evaluate", body)
            #expect(status == 200)
            let closed = try app.endpoint("primary").breaker.state.kind == .closed
            return answer["generation"]?["provider"] == "primary" && closed
        }
        let metrics = app.metricsText
        #expect(metrics.contains(#"assay_circuit_transitions_total{provider="primary",to="halfOpen"} 1"#))
        #expect(metrics.contains(#"assay_circuit_transitions_total{provider="primary",to="closed"} 1"#))
        #expect(metrics.contains(#"assay_circuit_state{provider="primary"} 0"#))
        #expect(metrics.contains(#"assay_fallbacks_total{from="primary",to="secondary",reason="circuit_open"}"#))
    }

    @Test("with no timeoutSeconds a hanging provider is abandoned at the 5 s default and counts against its breaker")
    func defaultTimeoutIsFiveSeconds() async throws {
        let primary = try await ProviderEmulatorProcess.start()
        let secondary = try await ProviderEmulatorProcess.start()
        try await primary.behave(#"{"hang": true}"#)
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let (status, answer) = try await app.post(
            "/v1/evaluate",
            Self.request(
                primary: primary.provider("primary", extra: #", "maxRetries": 0"#),
                secondary: secondary.provider("secondary")))
        #expect(status == 200)
        let attempts = try #require(answer["generation"]?["attempts"]?.arrayValue)
        #expect(attempts.map { $0["outcome"] } == ["timeout", "ok"])
        let waited = try #require(attempts.first?["latencyMs"]?.doubleValue)
        #expect(waited >= 5000 && waited < 6000, "waited \(waited) ms")
        let failures = try app.endpoint("primary").recentFailures
        #expect(failures.rate == 1 && failures.calls == 1)
        #expect(
            app.metricsText.contains(
                #"assay_provider_requests_total{provider="primary",model="m-primary",outcome="timeout"} 1"#))
    }
}
