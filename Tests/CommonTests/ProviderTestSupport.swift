import AssayCore
import Synchronization

@testable import AssayHTTP
@testable import Providers

/// A transport that answers every request with one canned result and remembers the requests.
final class ProviderFakeTransport: HTTPTransport {
    let result: Result<ClientResponse, HTTPClientError>
    private let sent = Mutex<[ClientRequest]>([])

    init(_ result: Result<ClientResponse, HTTPClientError>) { self.result = result }

    convenience init(status: Int, body: String, headers: [(name: String, value: String)] = []) {
        self.init(.success(ClientResponse(status: status, headers: headers, body: Array(body.utf8))))
    }

    var requests: [ClientRequest] { sent.withLock { $0 } }

    func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
        sent.withLock { $0.append(request) }
        return try result.get()
    }
}

enum ProviderFixtures {
    /// `Tests/CommonTests/Fixtures/providers/<name>`, found next to this source file.
    static func bytes(_ name: String) -> [UInt8] {
        let here = String(#filePath)
        let dir = here[..<(here.lastIndex(of: "/") ?? here.endIndex)]
        return SmallFile.read("\(dir)/Fixtures/providers/\(name)", limit: 1 << 20) ?? []
    }

    static func environment(_ variables: [String: String] = [:], files: [String: String] = [:]) -> ProviderEnvironment {
        ProviderEnvironment(variable: { variables[$0] }, readFile: { files[$0].map { Array($0.utf8) } })
    }
}
