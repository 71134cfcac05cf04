import Testing

@testable import AssayHTTP

@Suite("HTTP client without a server")
struct HTTPClientTests {
    @Test(
        "requests that cannot be sent fail with a classified error",
        arguments: [
            ("ftp://example.com/", "invalidRequest"),
            // Port 1 on loopback: nothing listens there, so the connect is refused at once.
            ("http://127.0.0.1:1/", "connect"),
            ("http://name.invalid/", "resolve"),
        ])
    func unsendable(url: String, kind: String) async throws {
        let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2)))
        do {
            _ = try await client.send(ClientRequest(method: "GET", url: url))
            Issue.record("expected \(kind)")
        } catch {
            let got =
                switch error {
                case .invalidRequest: "invalidRequest"
                case .connect: "connect"
                case .resolve: "resolve"
                default: "\(error)"
                }
            #expect(got == kind)
        }
        #expect(client.activeTransfers == 0)
    }

    @Test("a task cancelled before sending gets .cancelled without a transfer")
    func cancelledBeforeSend() async throws {
        let client = try CurlHTTPClient()
        let task = Task { () async throws(HTTPClientError) -> ClientResponse in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(ClientRequest(method: "GET", url: "http://127.0.0.1:1/"))
        }
        await #expect(throws: HTTPClientError.cancelled) { try await task.value }
    }

    @Test("timeouts convert to libcurl milliseconds, never 0")
    func milliseconds() {
        #expect(Duration.seconds(5).curlMilliseconds == 5000)
        #expect(Duration.milliseconds(1500).curlMilliseconds == 1500)
        #expect(Duration.microseconds(10).curlMilliseconds == 1)
    }
}

@Suite("HTTP client header parsing")
struct HTTPClientHeaderTests {
    @Test("header lines lose their CRLF and status lines reset earlier headers")
    func headerLines() {
        var headers: [(name: String, value: String)] = []
        for line in [
            "HTTP/1.1 100 Continue\r\n", "X-Early: 1\r\n", "HTTP/1.1 429 Too Many Requests\r\n", "Retry-After: 3\r\n",
            "Content-Type:application/json \r\n", "\r\n",
        ] {
            CurlTransfer.apply(headerLine: line, to: &headers)
        }
        #expect(headers.map(\.name) == ["Retry-After", "Content-Type"])
        #expect(headers.map(\.value) == ["3", "application/json"])
    }

    @Test("the body buffer refuses the chunk that would cross the limit and keeps what came before")
    func bodyLimit() {
        var body: [UInt8] = []
        let chunk: [UInt8] = Array(repeating: 7, count: 40)
        let accepted = (0..<3).map { _ in
            chunk.withUnsafeBytes { CurlTransfer.append($0, to: &body, limit: 100) }
        }
        #expect(accepted == [true, true, false])
        #expect(body.count == 80)
        #expect([UInt8]().withUnsafeBytes { CurlTransfer.append($0, to: &body, limit: 80) })
    }
}
