import AssayCore
import AssayHTTP
import Testing

@testable import ProviderEmulator

@Suite("HTTP client proxies")
struct ProviderHTTPClientProxyTests {
    @Test("a configured proxy carries the request; without it the unresolvable host fails to resolve")
    func configuredProxy() async throws {
        try await withProviderEmulator { server in
            // The emulator answers absolute-form targets, so it can stand in for a forward proxy.
            let proxied = try CurlHTTPClient(configuration: HTTPClientConfiguration(proxy: server.baseURL))
            let request = ClientRequest(method: "GET", url: "http://upstream.invalid/emulator/stats")
            let response = try await proxied.send(request)
            #expect(response.status == 200)
            #expect(try JSONParser.parse(response.body)["total"] == 0)

            let direct = try CurlHTTPClient()
            await #expect {
                _ = try await direct.send(request)
            } throws: { error in
                if case .resolve = error as? HTTPClientError { return true }
                return false
            }
        }
    }

    @Test(
        "absolute-form targets map to their origin path",
        arguments: [
            ("http://h:1/v1/messages", "/v1/messages"), ("https://h/x?y", "/x?y"), ("http://h", "/"),
            ("/v1/chat/completions", "/v1/chat/completions"),
        ])
    func originPath(target: String, path: String) {
        #expect(ProviderEmulator.originPath(target) == path)
    }
}
