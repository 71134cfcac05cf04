import AssayCore
import Foundation
import Testing

@testable import AssayHTTP
@testable import Gateway
@testable import Providers

/// Fallback-chain decisions against a scripted transport: what is retried, when, and when the
/// chain moves on.
@Suite("Gateway fallback chain")
struct GatewayFallbackChainTests {
    /// Answers each provider's requests from its own queue of responses (the last one repeats)
    /// and records when each request arrived.
    final class ScriptedTransport: HTTPTransport {
        private let script: Guarded<[String: [ClientResponse]]>
        private let arrivals = Guarded<[String: [ContinuousClock.Instant]]>([:])

        init(_ script: [String: [ClientResponse]]) { self.script = Guarded(script) }

        func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
            guard let host = URL(string: request.url)?.host else { throw .invalidRequest(request.url) }
            arrivals.withLock { $0[host, default: []].append(.now) }
            return script.withLock { script in
                guard var queue = script[host], let first = queue.first else {
                    return ClientResponse(status: 404)
                }
                if queue.count > 1 { queue.removeFirst() }
                script[host] = queue
                return first
            }
        }

        func calls(_ host: String) -> [ContinuousClock.Instant] { arrivals.withLock { $0[host] ?? [] } }
    }

    static let ok = ClientResponse(
        status: 200, headers: [("Content-Type", "application/json")],
        body: Array(
            #"{"id": "c1", "object": "chat.completion", "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}"#
                .utf8))

    static func tooMany(retryAfterMs: Int) -> ClientResponse {
        ClientResponse(status: 429, headers: [("retry-after-ms", String(retryAfterMs))], body: Array("{}".utf8))
    }

    static func provider(_ host: String, maxRetries: Int = 0, rateLimit: RateLimitConfig? = nil) -> ProviderConfig {
        ProviderConfig(
            type: .openai, model: "m", baseURL: "http://\(host)/v1", maxRetries: maxRetries, rateLimit: rateLimit,
            name: host)
    }

    static func pool(_ transport: ScriptedTransport, maxWait: Duration = .seconds(2), replicas: Int = 1)
        -> ProviderPool
    {
        var configuration = ProviderPool.Configuration()
        configuration.rateLimitMaxWait = maxWait
        configuration.replicas = replicas
        let environment = ProviderEnvironment(variable: { _ in nil }, readFile: { _ in nil })
        return ProviderPool(
            configuration: configuration, transport: transport, redis: nil,
            metrics: ProviderMetrics(registry: MetricsRegistry()), environment: environment)
    }

    static let chat = ChatRequest(messages: [.user("hello")])

    @Test("the only provider's 429 Retry-After is waited out before the retry")
    func retryAfterOnLastProvider() async throws {
        let transport = ScriptedTransport(["a": [Self.tooMany(retryAfterMs: 300), Self.ok]])
        let chain = Self.pool(transport).chain([Self.provider("a", maxRetries: 1)])
        let generation = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(generation.attempts.map(\.outcome) == [.providerRateLimited, .ok])
        let calls = transport.calls("a")
        #expect(calls.count == 2)
        #expect(calls[1] - calls[0] >= .milliseconds(300))
    }

    @Test("a 429 with Retry-After moves on at once, and later requests skip that provider until the time passes")
    func retryAfterWithFallback() async throws {
        let transport = ScriptedTransport(["a": [Self.tooMany(retryAfterMs: 60_000)], "b": [Self.ok]])
        let chain = Self.pool(transport).chain([Self.provider("a", maxRetries: 3), Self.provider("b")])
        let first = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(first.attempts.map(\.outcome) == [.providerRateLimited, .ok])
        #expect(first.latency < .seconds(1))
        let second = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(second.attempts.map(\.outcome) == [.retryAfter, .ok])
        #expect(second.provider == "b")
        #expect(transport.calls("a").count == 1)
    }

    @Test("a request to a provider that asked to wait (Retry-After) waits for it when no other provider is left")
    func lastProviderRetryAfterWaits() async throws {
        let transport = ScriptedTransport(["a": [Self.tooMany(retryAfterMs: 200), Self.ok]])
        let chain = Self.pool(transport).chain([Self.provider("a", maxRetries: 0)])
        let first = await chain.generate(Self.chat, deadline: .now + .seconds(5))
        #expect(throws: GenerationFailure.self) { try first.get() }
        let started = ContinuousClock.now
        let second = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(second.attempts.map(\.outcome) == [.retryAfter, .ok])
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        let late = await chain.generate(Self.chat, deadline: .now + .milliseconds(1))
        #expect(late.map(\.provider) == .success("a"), "the wait is over, so no wait is needed")
    }

    @Test("credentials in a base URL stay out of listings and rate-limit keys")
    func baseURLWithoutCredentials() {
        #expect(ProviderEndpoint.withoutUserInfo("https://u:secret@llm.example/v1") == "https://llm.example/v1")
        #expect(ProviderEndpoint.withoutUserInfo("http://127.0.0.1:8080/a@b") == "http://127.0.0.1:8080/a@b")
        let config = ProviderConfig(type: .openai, model: "m", baseURL: "https://u:secret@llm.example/v1")
        #expect(!ProviderPool.rateLimitKey(config).contains("secret"))
    }

    @Test("retries stop at the request's deadline")
    func retriesBoundedByDeadline() async throws {
        let transport = ScriptedTransport(["a": [ClientResponse(status: 503)]])
        let chain = Self.pool(transport).chain([Self.provider("a", maxRetries: 10)])
        let deadline = ContinuousClock.now + .milliseconds(400)
        let result = await chain.generate(Self.chat, deadline: deadline)
        let failure = try #require(throws: GenerationFailure.self) { try result.get() }
        let calls = transport.calls("a")
        #expect(calls.allSatisfy { $0 < deadline }, "no attempt starts after the deadline")
        #expect(calls.count < 11)
        // Five failures in a row may open the breaker first, and a retry woken late finds the
        // deadline passed: both end the retries without a call.
        let ends: Set<GenerationAttempt.Outcome> = [.serverError, .circuitOpen, .deadlineExceeded]
        #expect(failure.attempts.allSatisfy { ends.contains($0.outcome) }, "\(failure.attempts.map(\.outcome))")
        #expect(failure.description.contains("a: server_error"))
    }

    @Test("a non-retryable failure is not retried; the chain moves on")
    func nonRetryableMovesOn() async throws {
        let transport = ScriptedTransport(["a": [ClientResponse(status: 401)], "b": [Self.ok]])
        let chain = Self.pool(transport).chain([Self.provider("a", maxRetries: 5), Self.provider("b")])
        let generation = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(generation.attempts.map(\.outcome) == [.authError, .ok])
        #expect(transport.calls("a").count == 1)
        #expect(generation.usage == TokenUsage(inputTokens: 3, outputTokens: 1))
    }

    @Test("a provider whose rate limit has no slot within the wait budget is skipped")
    func rateLimitSkips() async throws {
        let transport = ScriptedTransport(["a": [Self.ok], "b": [Self.ok]])
        let pool = Self.pool(transport, maxWait: .milliseconds(50))
        let limited = Self.provider("a", rateLimit: RateLimitConfig(requestsPerSecond: 0.1, burst: 1))
        let chain = pool.chain([limited, Self.provider("b")])
        let first = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(first.provider == "a")
        let second = try await chain.generate(Self.chat, deadline: .now + .seconds(5)).get()
        #expect(second.attempts.map(\.outcome) == [.rateLimited, .ok])
        #expect(second.provider == "b")
        #expect(pool.endpoint(for: limited) === pool.all.first)
    }

    @Test("without Redis each process enforces its replicas' share of a rate limit")
    func localShare() async throws {
        let transport = ScriptedTransport(["a": [Self.ok]])
        let pool = Self.pool(transport, maxWait: .zero, replicas: 2)
        let chain = pool.chain([Self.provider("a", rateLimit: RateLimitConfig(requestsPerSecond: 0.1, burst: 2))])
        _ = try await chain.generate(Self.chat, deadline: .now + .seconds(1)).get()
        let second = await chain.generate(Self.chat, deadline: .now + .seconds(1))
        let failure = try #require(throws: GenerationFailure.self) { try second.get() }
        #expect(failure.attempts.map(\.outcome) == [.rateLimited])
        #expect(transport.calls("a").count == 1)
    }
}
