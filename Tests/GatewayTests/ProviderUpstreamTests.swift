import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayHTTP
@testable import Gateway
@testable import Providers

/// What a provider call does with a hostile or mistaken upstream: it never follows a redirect
/// (which would carry the key elsewhere), and an error never carries more than a short prefix of
/// the upstream's answer back to the caller.
@Suite("Provider calls against a hostile upstream", .serialized)
struct ProviderUpstreamTests {
    /// An upstream on loopback answering every chat request with `response`.
    static func upstream(_ response: HTTPResponse) throws -> (HTTPServer, String) {
        var router = Router()
        router.add("POST", "/v1/chat/completions") { _, _ in response }
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.eventLoopCount = 1
        let server = HTTPServer(configuration: configuration, responder: router)
        let port = try server.start()
        return (server, "http://127.0.0.1:\(port)/v1")
    }

    static func call(_ baseURL: String) async throws -> ProviderError? {
        let client = ProviderClient(
            config: ProviderConfig(type: .openai, model: "m", baseURL: baseURL, apiKeyEnv: "KEY"),
            transport: try CurlHTTPClient(),
            environment: ProviderEnvironment(variable: { _ in "sk-redirected-key" }, readFile: { _ in nil }))
        do {
            _ = try await client.complete(ChatRequest(messages: [.user("hi")]))
            return nil
        } catch {
            return error
        }
    }

    @Test("a redirect is not followed: the call fails and the redirect's target receives nothing")
    func noRedirects() async throws {
        let attacker = try AttackerListener()
        for status in [301, 302, 307, 308] {
            let (server, baseURL) = try Self.upstream(
                HTTPResponse(status: status, headers: ["Location": attacker.baseURL + "/chat/completions"]))
            let error = try await Self.call(baseURL)
            #expect(error == .badResponse("unexpected HTTP status \(status)"))
            await server.shutdown(gracePeriod: .seconds(1))
        }
        #expect(attacker.connections == 0, "received: \(attacker.received)")
        attacker.stop()
    }

    @Test("an error keeps at most 200 characters of the upstream's message and nothing of a body that is not one")
    func shortPrefix() async throws {
        let message = String(repeating: "a", count: 300) + "internal-detail-at-the-end"
        let json = JSONWriter.bytes(["error": ["message": .string(message)]])
        let (server, baseURL) = try Self.upstream(HTTPResponse(status: 500, body: json))
        let error = try #require(try await Self.call(baseURL))
        guard case .server(500, let kept) = error else {
            Issue.record("expected a server error, got \(error)")
            return
        }
        #expect(kept == String(repeating: "a", count: 200) + "…")
        #expect(!error.description.contains("internal-detail"))
        await server.shutdown(gracePeriod: .seconds(1))

        let (page, pageURL) = try Self.upstream(
            HTTPResponse(status: 500, body: Array("<html>admin console: internal-detail</html>".utf8)))
        let pageError = try #require(try await Self.call(pageURL))
        #expect(pageError == .server(status: 500, message: ""))
        await page.shutdown(gracePeriod: .seconds(1))
    }
}
