import Foundation
import TestSupport
import Testing

@testable import AssayHTTP
@testable import Gateway
@testable import Providers

@Suite("Provider error mapping")
struct ProviderErrorMappingTests {
    static let config = ProviderConfig(type: .openai, model: "m", baseURL: "http://provider/v1")

    static func complete(_ transport: ProviderFakeTransport) async -> ProviderError? {
        let client = ProviderClient(config: config, transport: transport, environment: ProviderFixtures.environment())
        do {
            _ = try await client.complete(ChatRequest(messages: [.user("hi")]))
            return nil
        } catch {
            return error
        }
    }

    struct StatusCase: Sendable, CustomStringConvertible {
        var status: Int
        var headers: [(name: String, value: String)] = []
        var body = #"{"error": {"message": "boom", "type": "x"}}"#
        var expected: ProviderError
        var retryable: Bool
        var description: String { "HTTP \(status) \(headers.map(\.value))" }
    }

    static let statusCases: [StatusCase] = [
        StatusCase(
            status: 429, headers: [(name: "Retry-After", value: "7")],
            expected: .rateLimited(retryAfter: .seconds(7), message: "boom"), retryable: true),
        StatusCase(
            status: 429, headers: [(name: "retry-after-ms", value: "250")],
            expected: .rateLimited(retryAfter: .milliseconds(250), message: "boom"), retryable: true),
        StatusCase(
            status: 429, headers: [(name: "Retry-After", value: "Wed, 21 Oct 2015 07:28:00 GMT")],
            expected: .rateLimited(retryAfter: .seconds(0), message: "boom"), retryable: true),
        StatusCase(status: 429, expected: .rateLimited(retryAfter: nil, message: "boom"), retryable: true),
        StatusCase(status: 500, expected: .server(status: 500, message: "boom"), retryable: true),
        StatusCase(
            status: 503, body: "<html>upstream</html>", expected: .server(status: 503, message: ""), retryable: true),
        StatusCase(status: 529, expected: .server(status: 529, message: "boom"), retryable: true),
        StatusCase(status: 408, expected: .timeout("HTTP 408 from the provider"), retryable: true),
        StatusCase(
            status: 401, expected: .auth("HTTP 401 using the key from environment variable OPENAI_API_KEY"),
            retryable: false),
        StatusCase(
            status: 403, expected: .auth("HTTP 403 using the key from environment variable OPENAI_API_KEY"),
            retryable: false),
        StatusCase(status: 400, expected: .invalidRequest("HTTP 400: boom"), retryable: false),
        StatusCase(
            status: 404, body: #"{"error": "model not found"}"#, expected: .invalidRequest("HTTP 404: model not found"),
            retryable: false),
        StatusCase(status: 302, expected: .badResponse("unexpected HTTP status 302"), retryable: false),
        StatusCase(
            status: 200, body: "{not json", expected: .badResponse("openai response is not valid JSON"),
            retryable: false),
    ]

    @Test("HTTP statuses classify into provider errors", arguments: statusCases)
    func statuses(c: StatusCase) async {
        let error = await Self.complete(ProviderFakeTransport(status: c.status, body: c.body, headers: c.headers))
        if case .badResponse(let prefix) = c.expected, case .badResponse(let m) = error {
            // The parser's position detail follows; the prefix is ours.
            #expect(m.hasPrefix(prefix))
        } else {
            #expect(error == c.expected)
        }
        #expect(error?.isRetryable == c.retryable)
    }

    @Test(
        "transport failures classify into provider errors",
        arguments: [
            (
                HTTPClientError.timeout("Operation timed out after 100 ms"),
                ProviderError.timeout("Operation timed out after 100 ms")
            ),
            (.connect("refused"), .connection(HTTPClientError.connect("refused").description)),
            (.tls("bad cert"), .connection(HTTPClientError.tls("bad cert").description)),
            (.tooLarge(limit: 10), .responseTooLarge(limit: 10)),
            (.cancelled, .cancelled),
        ])
    func transportFailures(failure: HTTPClientError, expected: ProviderError) async {
        #expect(await Self.complete(ProviderFakeTransport(.failure(failure))) == expected)
    }

    @Test("Retry-After dates give the remaining delay; every form is capped at an hour")
    func retryAfterForms() {
        // Wed, 21 Oct 2015 07:28:00 GMT
        let now = Date(timeIntervalSince1970: 1_445_412_480)
        func delay(_ name: String, _ value: String) -> Duration? {
            ProviderRetryDelay.delay(
                from: ClientResponse(status: 429, headers: [(name: name, value: value)]), receivedAt: now)
        }
        #expect(delay("Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT") == .seconds(30))
        #expect(delay("Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT") == .zero)
        #expect(delay("Retry-After", "Thu, 22 Oct 2015 07:28:00 GMT") == ProviderRetryDelay.maxDelay)
        #expect(delay("Retry-After", "86400") == ProviderRetryDelay.maxDelay)
        #expect(delay("retry-after-ms", "1500") == .milliseconds(1500))
        #expect(delay("Retry-After", "soon") == nil)
    }
}
