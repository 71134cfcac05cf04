import AssayHTTP
import Testing

@testable import ProviderEmulator

@Suite("HTTP client TLS failures")
struct ProviderHTTPClientTLSTests {
    @Test(
        "TLS to a server that does not speak it, or with an unreadable CA file, fails as .tls",
        arguments: [nil, "/nonexistent/ca.pem"] as [String?])
    func tlsFailures(caFile: String?) async throws {
        try await withProviderEmulator { server in
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(caFile: caFile))
            let request = ClientRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/healthz")
            await #expect {
                _ = try await client.send(request)
            } throws: { error in
                guard let error = error as? HTTPClientError, case .tls = error else { return false }
                return error.description.contains("TLS")
            }
            #expect(client.activeTransfers == 0)
        }
    }
}
