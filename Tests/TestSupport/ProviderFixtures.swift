import AssayCore
import AssayHTTP
import Providers

/// Providers as tests need them: recorded provider responses, environments with fixed variables
/// and files, and a transport that answers with one canned result.
public enum ProviderFixtures {
    /// `Tests/GatewayTests/Fixtures/providers/<name>`: provider responses as their APIs document them.
    public static func bytes(_ name: String) -> [UInt8] {
        SmallFile.read(Repository.path("Tests/GatewayTests/Fixtures/providers/\(name)"), limit: 1 << 20) ?? []
    }

    /// An environment whose variables and files are exactly these.
    public static func environment(_ variables: [String: String] = [:], files: [String: String] = [:])
        -> ProviderEnvironment
    {
        ProviderEnvironment(variable: { variables[$0] }, readFile: { files[$0].map { Array($0.utf8) } })
    }
}

/// A transport that answers every request with one canned result and remembers the requests.
public final class ProviderFakeTransport: HTTPTransport {
    public let result: Result<ClientResponse, HTTPClientError>
    private let sent = Guarded<[ClientRequest]>([])

    public init(_ result: Result<ClientResponse, HTTPClientError>) { self.result = result }

    public convenience init(status: Int, body: String, headers: [(name: String, value: String)] = []) {
        self.init(.success(ClientResponse(status: status, headers: headers, body: Array(body.utf8))))
    }

    public var requests: [ClientRequest] { sent.withLock { $0 } }

    public func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
        sent.withLock { $0.append(request) }
        return try result.get()
    }
}
