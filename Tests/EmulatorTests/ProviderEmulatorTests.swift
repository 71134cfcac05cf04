import AssayCore
import AssayHTTP
import Testing

@testable import ProviderEmulator

@Suite("Provider emulator logic")
struct ProviderEmulatorTests {
    static func request(_ method: String, _ target: String, _ body: JSONValue? = nil, headers: HTTPHeaders = [:])
        -> HTTPRequest
    {
        HTTPRequest(method: method, target: target, headers: headers, body: body.map(JSONWriter.bytes) ?? [])
    }

    static func json(_ response: HTTPResponse) throws -> JSONValue { try JSONParser.parse(response.body) }

    @Test(
        "paths route to their wire format with the model or deployment from the path",
        arguments: [
            ("/v1/chat/completions", EmulatorRoute.openai, String?.none),
            ("/openai/deployments/gpt4o/chat/completions", .azure, "gpt4o"),
            ("/v1/messages", .anthropic, nil),
            ("/v1beta/models/gemini-2.0-flash:generateContent", .gemini, "gemini-2.0-flash"),
        ])
    func routes(path: String, route: EmulatorRoute, model: String?) throws {
        let matched = try #require(EmulatorRoute.match(path: path))
        #expect(matched.route == route)
        #expect(matched.pathModel == model)
    }

    @Test("unknown paths do not route", arguments: ["/v1/completions", "/v1beta/models/x:streamGenerateContent", "/"])
    func unknownPaths(path: String) { #expect(EmulatorRoute.match(path: path) == nil) }

    @Test("the answer echoes the last user message and counts words as tokens")
    func deterministicAnswer() {
        let prompt = EmulatedPrompt(
            model: "m", system: "be brief",
            messages: [
                .init(role: "user", text: "first question"), .init(role: "assistant", text: "ok"),
                .init(role: "user", text: "what is  two plus two"),
            ], maxTokens: nil)
        let answer = DeterministicAnswer(prompt: prompt)
        #expect(answer.text == "echo: what is two plus two")
        #expect(answer.outputTokens == 6)
        #expect(answer.inputTokens == 2 + 2 + 1 + 5)
        #expect(!answer.truncated)
        var short = prompt
        short.maxTokens = 3
        let cut = DeterministicAnswer(prompt: short)
        #expect(cut.text == "echo: what is")
        #expect(cut.truncated)
    }

    @Test(
        "invalid behaviour patches are rejected with the field's path",
        arguments: [
            (["errorRate": 1.5] as JSONValue, "errorRate"), (["latencyMs": -1] as JSONValue, "latencyMs"),
            (["errorStatus": 200] as JSONValue, "errorStatus"), (["hang": "yes"] as JSONValue, "hang"),
            (["latency": 5] as JSONValue, "latency"),
        ] as [(JSONValue, String)])
    func invalidPatches(patch: JSONValue, path: String) {
        #expect {
            _ = try EmulatorBehaviour().patched(with: patch)
        } throws: { ($0 as? FieldError)?.path == path }
    }

    @Test("PUT /emulator/behaviour changes one route, GET /emulator/stats counts per route")
    func controlEndpoint() async throws {
        let emulator = ProviderEmulator()
        let put = await emulator.respond(
            to: Self.request("PUT", "/emulator/behaviour", ["route": "anthropic", "errorRate": 1, "errorStatus": 503]))
        #expect(put.status == 200)
        #expect(try Self.json(put)["routes"]?["anthropic"]?["errorStatus"] == 503)
        #expect(emulator.state.behaviour(for: .openai) == EmulatorBehaviour())

        let anthropic: JSONValue = ["model": "c", "max_tokens": 10, "messages": [["role": "user", "content": "hi"]]]
        let failed = await emulator.respond(
            to: Self.request("POST", "/v1/messages", anthropic, headers: ["anthropic-version": "2023-06-01"]))
        #expect(failed.status == 503)
        #expect(try Self.json(failed)["error"]?["type"] == "overloaded_error")

        let openai: JSONValue = ["model": "g", "messages": [["role": "user", "content": "hi"]]]
        let ok = await emulator.respond(to: Self.request("POST", "/v1/chat/completions", openai))
        #expect(ok.status == 200)

        let stats = try Self.json(await emulator.respond(to: Self.request("GET", "/emulator/stats")))
        #expect(stats["total"] == 2)
        #expect(stats["routes"]?["anthropic"]?["errors"] == 1)
        #expect(stats["routes"]?["openai"]?["ok"] == 1)

        let bad = await emulator.respond(to: Self.request("PUT", "/emulator/behaviour", ["route": "cohere"]))
        #expect(bad.status == 422)
        let reset = await emulator.respond(to: Self.request("DELETE", "/emulator/behaviour"))
        #expect(reset.status == 200)
        #expect(emulator.state.behaviour(for: .anthropic) == EmulatorBehaviour())
    }

    @Test(
        "requests the real APIs would refuse get 400 in the route's error shape",
        arguments: [
            ("/v1/chat/completions", ["messages": [["role": "user", "content": "x"]]] as JSONValue, "error.message"),
            (
                "/v1/messages", ["model": "c", "messages": [["role": "user", "content": "x"]]] as JSONValue,
                "error.type"
            ),
            (
                "/v1/messages",
                ["model": "c", "max_tokens": 5, "messages": [["role": "system", "content": "x"]]] as JSONValue,
                "error.type"
            ),
            (
                "/v1beta/models/g:generateContent",
                ["contents": [["role": "assistant", "parts": [["text": "x"]]]]] as JSONValue, "error.status"
            ),
        ] as [(String, JSONValue, String)])
    func rejectsBadRequests(path: String, body: JSONValue, shape: String) async throws {
        let response = await ProviderEmulator().respond(
            to: Self.request("POST", path, body, headers: ["anthropic-version": "2023-06-01"]))
        #expect(response.status == 400)
        let json = try Self.json(response)
        let parts = shape.split(separator: ".").map(String.init)
        #expect(json[parts[0]]?[parts[1]]?.stringValue != nil)
    }

    @Test("flags set the starting behaviour and reject bad values")
    func options() throws {
        let options = try EmulatorOptions.parse(
            [
                "--port", "0", "--latency-ms", "20", "--error-rate", "0.5", "--error-status", "503", "--hang", "--seed",
                "9",
            ],
            environment: ["ASSAY_EMULATOR_API_KEY": "k"])
        #expect(options.port == 0)
        #expect(options.behaviour.latencyMs == 20)
        #expect(options.behaviour.errorRate == 0.5)
        #expect(options.behaviour.errorStatus == 503)
        #expect(options.behaviour.hang)
        #expect(options.apiKey == "k")
        #expect(options.seed == 9)
        #expect(throws: EmulatorOptionsError.self) {
            try EmulatorOptions.parse(["--error-rate", "2"], environment: [:])
        }
        #expect(throws: EmulatorOptionsError.self) { try EmulatorOptions.parse(["--port", "70000"], environment: [:]) }
    }

    @Test("a hung request is held until the route stops hanging")
    func hangReleases() async throws {
        let emulator = ProviderEmulator(behaviour: EmulatorBehaviour(hang: true))
        let body: JSONValue = ["model": "g", "messages": [["role": "user", "content": "hi"]]]
        async let held = emulator.respond(to: Self.request("POST", "/v1/chat/completions", body))
        // Released by turning hang off once the request is parked (an event, not a timer).
        while emulator.state.heldCount == 0 { await Task.yield() }
        _ = try emulator.state.update(route: nil, with: ["hang": false])
        let response = await held
        #expect(response.status == 503)
        #expect(emulator.state.counts(.openai).hung == 1)
    }
}
