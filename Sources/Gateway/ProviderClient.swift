import AssayHTTP
import Providers

/// Sends ``ChatRequest``s to one configured provider through an ``HTTPTransport``.
///
/// One attempt per call: retries (`maxRetries`), rate limiting and circuit breaking belong to the
/// caller, driven by ``ProviderError/isRetryable`` and ``ProviderError/retryAfter``.
public struct ProviderClient: Sendable {
    public let config: ProviderConfig
    private let transport: any HTTPTransport
    private let environment: ProviderEnvironment

    public init(config: ProviderConfig, transport: any HTTPTransport, environment: ProviderEnvironment = .process) {
        self.config = config
        self.transport = transport
        self.environment = environment
    }

    public func complete(_ chat: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let key = try config.apiKeySource.resolve(in: environment)
        let request = WireFormat.encode(chat, config: config, key: key)
        let response: ClientResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw Self.scrub(Self.map(error), key: key)
        }
        do {
            return try WireFormat.decode(response, config: config)
        } catch {
            throw Self.scrub(error, key: key)
        }
    }

    static func map(_ error: HTTPClientError) -> ProviderError {
        switch error {
        case .timeout(let m): .timeout(m)
        case .resolve, .connect, .proxy, .tls, .transport, .shutDown: .connection(error.description)
        case .tooLarge(let limit): .responseTooLarge(limit: limit)
        case .cancelled: .cancelled
        case .invalidRequest(let m): .invalidRequest(m)
        }
    }

    /// Removes the key from any text that came from elsewhere (provider bodies, libcurl).
    static func scrub(_ error: ProviderError, key: APIKey?) -> ProviderError {
        guard let secret = key?.value, !secret.isEmpty else { return error }
        func clean(_ s: String) -> String { s.replacing(secret, with: "<redacted>") }
        return switch error {
        case .rateLimited(let d, let m): .rateLimited(retryAfter: d, message: clean(m))
        case .server(let s, let m): .server(status: s, message: clean(m))
        case .timeout(let m): .timeout(clean(m))
        case .connection(let m): .connection(clean(m))
        case .badResponse(let m): .badResponse(clean(m))
        case .auth(let m): .auth(clean(m))
        case .invalidRequest(let m): .invalidRequest(clean(m))
        case .missingAPIKey(let m): .missingAPIKey(clean(m))
        case .responseTooLarge, .cancelled: error
        }
    }
}
