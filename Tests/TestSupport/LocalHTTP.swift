import AssayHTTP

/// Plain HTTP to the test's own servers (health ports, the emulators' test hooks).
public enum LocalHTTP {
    /// One shared client: each `CurlHTTPClient` runs a loop of its own.
    private static let shared = Result { () throws(HTTPClientError) -> CurlHTTPClient in try CurlHTTPClient() }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// Sends one request; connection failures throw. `token` goes in `Authorization: Bearer`.
    public static func send(
        _ method: String, _ url: String, body: String? = nil, contentType: String = "application/json",
        token: String? = nil, timeout: Duration = .seconds(5)
    ) async throws -> Response {
        let client = try shared.get()
        var headers: [(name: String, value: String)] = body == nil ? [] : [("Content-Type", contentType)]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response = try await client.send(
            ClientRequest(
                method: method, url: url, headers: headers, body: Array((body ?? "").utf8), timeout: timeout,
                connectTimeout: .seconds(1)))
        return Response(status: response.status, body: response.text)
    }

    public static func get(_ url: String, token: String? = nil, timeout: Duration = .seconds(5)) async throws
        -> Response
    {
        try await send("GET", url, token: token, timeout: timeout)
    }

    /// The status of `GET url`, `nil` when nothing answers.
    public static func status(_ url: String, timeout: Duration = .seconds(2)) async -> Int? {
        try? await get(url, timeout: timeout).status
    }
}
