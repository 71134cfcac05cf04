import AssayCore
import AssayHTTP
import Gateway
import Providers
import Testing

@testable import ProviderEmulator

@Suite("Provider faults and HTTP client behaviour against the emulator")
struct ProviderFaultTests {
    static let chat = ChatRequest(messages: [.user("hello there")])

    static func outcome(_ client: ProviderClient) async -> Result<ChatResponse, ProviderError> {
        do {
            return .success(try await client.complete(chat))
        } catch {
            return .failure(error)
        }
    }

    struct Fault: Sendable, CustomStringConvertible {
        var patch: JSONValue
        var expected: ProviderError
        var description: String { "\(patch)" }
    }

    static let faults: [Fault] = [
        Fault(
            patch: ["rateLimitRate": 1, "retryAfterSeconds": 3],
            expected: .rateLimited(retryAfter: .seconds(3), message: "emulated rate limit")),
        Fault(
            patch: ["errorRate": 1, "errorStatus": 500],
            expected: .server(status: 500, message: "emulated server error")),
        Fault(
            patch: ["errorRate": 1, "errorStatus": 503],
            expected: .server(status: 503, message: "emulated server error")),
    ]

    @Test("injected 429, 500 and 503 map to classified, retryable errors in every format", arguments: faults)
    func injectedStatuses(fault: Fault) async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            _ = try server.emulator.state.update(route: nil, with: fault.patch)
            for type in ProviderType.allCases {
                let client = ProviderClient(
                    config: emulatedProvider(type, server), transport: http, environment: emulatorKeyEnvironment)
                let result = await Self.outcome(client)
                #expect(result.failure == fault.expected, "\(type)")
                #expect(result.failure?.isRetryable == true)
            }
        }
    }

    @Test("a 200 with truncated JSON is a bad response", arguments: ProviderType.allCases)
    func malformed(type: ProviderType) async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            _ = try server.emulator.state.update(route: type.emulatorRoute, with: ["malformedRate": 1])
            let client = ProviderClient(
                config: emulatedProvider(type, server), transport: http, environment: emulatorKeyEnvironment)
            guard case .badResponse(let m) = await Self.outcome(client).failure else {
                return #expect(Bool(false), "expected badResponse")
            }
            #expect(m.contains("not valid JSON"))
        }
    }

    @Test("a hanging provider times out after the provider's timeoutSeconds")
    func hangTimesOut() async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            _ = try server.emulator.state.update(route: nil, with: ["hang": true])
            let client = ProviderClient(
                config: emulatedProvider(.anthropic, server, timeoutSeconds: 0.3), transport: http,
                environment: emulatorKeyEnvironment)
            guard case .timeout = await Self.outcome(client).failure else {
                return #expect(Bool(false), "expected timeout")
            }
            #expect(http.activeTransfers == 0)
        }
    }

    @Test("a slow body beyond the timeout times out; within it, succeeds")
    func slowBody() async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            _ = try server.emulator.state.update(route: nil, with: ["slowBodyMs": 400])
            let impatient = ProviderClient(
                config: emulatedProvider(.openai, server, timeoutSeconds: 0.1), transport: http,
                environment: emulatorKeyEnvironment)
            guard case .timeout = await Self.outcome(impatient).failure else {
                return #expect(Bool(false), "expected timeout")
            }
            let patient = ProviderClient(
                config: emulatedProvider(.openai, server), transport: http, environment: emulatorKeyEnvironment)
            #expect(try await patient.complete(Self.chat).text == "echo: hello there")
        }
    }

    @Test("cancelling the calling task aborts the in-flight request and frees its handle")
    func cancellation() async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            _ = try server.emulator.state.update(route: nil, with: ["hang": true])
            let request = ClientRequest(
                method: "POST", url: "\(server.baseURL)/v1/chat/completions",
                body: JSONWriter.bytes(["model": "m", "messages": [["role": "user", "content": "x"]]]),
                timeout: .seconds(60))
            let task = Task { () async throws(HTTPClientError) -> ClientResponse in try await http.send(request) }
            // Cancel once the emulator holds the request, i.e. the transfer is really in flight.
            while server.emulator.state.heldCount == 0 { await Task.yield() }
            #expect(http.activeTransfers == 1)
            task.cancel()
            await #expect(throws: HTTPClientError.cancelled) { try await task.value }
            #expect(http.activeTransfers == 0)
            #expect(http.idleHandles == 1)
        }
    }

    @Test("sequential requests to one host reuse one connection")
    func connectionReuse() async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            var opened: [Int] = []
            for _ in 0..<4 {
                let response = try await http.send(
                    ClientRequest(method: "GET", url: "\(server.baseURL)/emulator/stats"))
                #expect(response.status == 200)
                opened.append(response.newConnections)
            }
            #expect(opened == [1, 0, 0, 0])
            #expect(http.idleHandles == 1)
        }
    }

    @Test("responses over the size limit fail as tooLarge", arguments: [nil, 64] as [Int?])
    func sizeLimit(perRequest: Int?) async throws {
        let http = try CurlHTTPClient(
            configuration: HTTPClientConfiguration(maxResponseBytes: perRequest == nil ? 64 : 1 << 20))
        try await withProviderEmulator { server in
            let request = ClientRequest(
                method: "GET", url: "\(server.baseURL)/emulator/behaviour", maxResponseBytes: perRequest)
            await #expect(throws: HTTPClientError.tooLarge(limit: 64)) { try await http.send(request) }
            let roomy = ClientRequest(
                method: "GET", url: "\(server.baseURL)/emulator/behaviour", maxResponseBytes: 1 << 20)
            let response = try await http.send(roomy)
            #expect(response.status == 200)
        }
    }

    @Test("behaviour changes mid-run through the HTTP control endpoint")
    func controlOverHTTP() async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            let client = ProviderClient(
                config: emulatedProvider(.gemini, server), transport: http, environment: emulatorKeyEnvironment)
            #expect(await Self.outcome(client).failure == nil)
            let put = try await http.send(
                ClientRequest(
                    method: "PUT", url: "\(server.baseURL)/emulator/behaviour",
                    headers: [(name: "Content-Type", value: "application/json")],
                    body: JSONWriter.bytes(["route": "gemini", "errorRate": 1, "errorStatus": 503])))
            #expect(put.status == 200)
            #expect(await Self.outcome(client).failure == .server(status: 503, message: "emulated server error"))
            let stats = try JSONParser.parse(
                try await http.send(ClientRequest(method: "GET", url: "\(server.baseURL)/emulator/stats")).body)
            #expect(stats["routes"]?["gemini"]?["requests"] == 2)
            #expect(stats["routes"]?["gemini"]?["errors"] == 1)
        }
    }

    @Test("concurrent requests all complete on the shared client")
    func concurrent() async throws {
        let http = try CurlHTTPClient()
        try await withProviderEmulator { server in
            _ = try server.emulator.state.update(route: nil, with: ["latencyMs": 20])
            let client = ProviderClient(
                config: emulatedProvider(.openai, server), transport: http, environment: emulatorKeyEnvironment)
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<16 {
                    group.addTask { try await client.complete(ChatRequest(messages: [.user("n\(i)")])).text }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(texts == Set((0..<16).map { "echo: n\($0)" }))
            #expect(http.activeTransfers == 0)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
