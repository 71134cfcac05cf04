import AssayCore
import AssayHTTP

/// Answers the four provider wire formats with injected behaviour, plus a control API:
///
/// - `GET /emulator/behaviour`, `PUT /emulator/behaviour` with `{"route"?: "openai"|"azure"|
///   "anthropic"|"gemini", "latencyMs", "latencyJitterMs", "errorRate", "errorStatus",
///   "rateLimitRate", "retryAfterSeconds", "hang", "slowBodyMs", "malformedRate"}` (members
///   present are changed), `DELETE /emulator/behaviour` (back to the command line's);
/// - `GET /emulator/stats` (counts per route and outcome), `DELETE /emulator/stats`;
/// - `GET /healthz`.
struct ProviderEmulator: HTTPResponder {
    let state: EmulatorState
    /// When set, every provider request must present this key in its route's header.
    let apiKey: String?

    init(behaviour: EmulatorBehaviour = EmulatorBehaviour(), apiKey: String? = nil, seed: UInt64 = 1) {
        state = EmulatorState(defaults: behaviour, seed: seed)
        self.apiKey = apiKey
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        var request = request
        request.path = Self.originPath(request.path)
        if request.path.hasPrefix("/emulator/") || request.path == "/healthz" { return control(request) }
        guard let (route, pathModel) = EmulatorRoute.match(path: request.path) else {
            return .problem(status: 404, detail: "no emulated provider route at \(request.path)")
        }
        guard request.method == "POST" else {
            var response = HTTPResponse.problem(status: 405, detail: "\(request.path) accepts POST")
            response.headers.add("Allow", "POST")
            return response
        }
        return await provider(request, route: route, pathModel: pathModel)
    }

    private func provider(_ request: HTTPRequest, route: EmulatorRoute, pathModel: String?) async -> HTTPResponse {
        let id = state.begin(route)
        let behaviour = state.behaviour(for: route)
        if behaviour.hang {
            state.record(route, .hung)
            await state.hold(id: id)
            return EmulatorWire.error(route, status: 503, message: "emulator released a hung request")
        }
        let delay = behaviour.latencyMs + state.draw(upTo: behaviour.latencyJitterMs)
        if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }

        if let apiKey, EmulatorWire.presentedKey(request, route: route) != apiKey {
            state.record(route, .rejected)
            return EmulatorWire.error(route, status: 401, message: "invalid or missing API key")
        }
        let prompt: EmulatedPrompt
        switch EmulatorWire.parse(request, route: route, pathModel: pathModel) {
        case .prompt(let p): prompt = p
        case .rejected(let response):
            state.record(route, .rejected)
            return response
        }
        if behaviour.rateLimitRate > 0, state.draw() < behaviour.rateLimitRate {
            state.record(route, .rateLimited)
            return EmulatorWire.error(
                route, status: 429, message: "emulated rate limit",
                headers: ["Retry-After": String(behaviour.retryAfterSeconds)])
        }
        if behaviour.errorRate > 0, state.draw() < behaviour.errorRate {
            state.record(route, .error)
            return EmulatorWire.error(route, status: behaviour.errorStatus, message: "emulated server error")
        }
        if behaviour.slowBodyMs > 0 { try? await Task.sleep(for: .milliseconds(behaviour.slowBodyMs)) }
        if behaviour.malformedRate > 0, state.draw() < behaviour.malformedRate {
            state.record(route, .malformed)
            return EmulatorWire.malformed(route)
        }
        state.record(route, .ok)
        return EmulatorWire.answer(route, prompt: prompt, answer: DeterministicAnswer(prompt: prompt), id: id)
    }

    private func control(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/healthz"):
            return .text("ok\n")
        case ("GET", "/emulator/behaviour"):
            return EmulatorWire.json(state.behaviourJSON, status: 200)
        case ("PUT", "/emulator/behaviour"):
            do {
                let json = try JSONParser.parse(request.body)
                let fields = try JSONFields(json, at: "")
                var route: EmulatorRoute?
                if let name = try fields.string("route") {
                    guard let r = EmulatorRoute(rawValue: name) else {
                        let known = EmulatorRoute.allCases.map(\.rawValue).joined(separator: ", ")
                        return .problem(status: 422, detail: "route: unknown route \(name); expected one of: \(known)")
                    }
                    route = r
                }
                _ = try state.update(route: route, with: json)
                return EmulatorWire.json(state.behaviourJSON, status: 200)
            } catch let error as FieldError {
                return .problem(status: 422, detail: error.description)
            } catch {
                return .problem(status: 400, detail: "body is not valid JSON: \(error)")
            }
        case ("DELETE", "/emulator/behaviour"):
            state.reset()
            return EmulatorWire.json(state.behaviourJSON, status: 200)
        case ("GET", "/emulator/stats"):
            return EmulatorWire.json(state.statsJSON, status: 200)
        case ("DELETE", "/emulator/stats"):
            state.resetCounts()
            return EmulatorWire.json(state.statsJSON, status: 200)
        default:
            return .problem(status: 404, detail: "unknown emulator control endpoint \(request.method) \(request.path)")
        }
    }

    /// The path of an absolute-form target (`http://host/v1/messages` → `/v1/messages`), which a
    /// client sends when it uses the emulator as its HTTP proxy; origin-form paths pass unchanged.
    static func originPath(_ path: String) -> String {
        guard path.hasPrefix("http://") || path.hasPrefix("https://") else { return path }
        let afterScheme = path[path.index(path.firstIndex(of: ":")!, offsetBy: 3)...]
        guard let slash = afterScheme.firstIndex(of: "/") else { return "/" }
        return String(afterScheme[slash...])
    }
}
