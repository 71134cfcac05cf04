import AssayCore
import AssayHTTP

/// Parsing, answers and error bodies in each provider's exact shapes. Parsing is strict in the
/// ways the real APIs are (required fields, allowed roles, required headers), so a client that
/// passes here encodes requests correctly.
enum EmulatorWire {
    enum Parsed: Sendable {
        case prompt(EmulatedPrompt)
        /// An error response in the route's shape.
        case rejected(HTTPResponse)
    }

    /// The request's prompt, or the error response the real API would send.
    static func parse(_ request: HTTPRequest, route: EmulatorRoute, pathModel: String?) -> Parsed {
        let json: JSONValue
        do {
            json = try JSONParser.parse(request.body)
        } catch {
            return .rejected(self.error(route, status: 400, message: "request body is not valid JSON: \(error)"))
        }
        do {
            switch route {
            case .openai: return .prompt(try EmulatedOpenAI.parse(json, deployment: nil))
            case .azure:
                guard request.queryItem("api-version") != nil else {
                    return .rejected(
                        self.error(route, status: 404, message: "Resource not found (api-version query missing)"))
                }
                return .prompt(try EmulatedOpenAI.parse(json, deployment: pathModel))
            case .anthropic:
                guard request.headers["anthropic-version"] != nil else {
                    return .rejected(self.error(route, status: 400, message: "anthropic-version: header is required"))
                }
                return .prompt(try EmulatedAnthropic.parse(json))
            case .gemini: return .prompt(try EmulatedGemini.parse(json, model: pathModel ?? ""))
            }
        } catch {
            return .rejected(self.error(route, status: 400, message: error.description))
        }
    }

    /// The key the client presented in the route's header (or Gemini's `?key=`).
    static func presentedKey(_ request: HTTPRequest, route: EmulatorRoute) -> String? {
        switch route {
        case .openai:
            guard let auth = request.headers["Authorization"], auth.hasPrefix("Bearer ") else { return nil }
            return String(auth.dropFirst("Bearer ".count))
        case .azure: return request.headers["api-key"]
        case .anthropic: return request.headers["x-api-key"]
        case .gemini: return request.headers["x-goog-api-key"] ?? request.queryItem("key")
        }
    }

    static func answer(_ route: EmulatorRoute, prompt: EmulatedPrompt, answer: DeterministicAnswer, id: Int)
        -> HTTPResponse
    {
        let body: JSONValue =
            switch route {
            case .openai, .azure: EmulatedOpenAI.answer(prompt: prompt, answer: answer, id: id)
            case .anthropic: EmulatedAnthropic.answer(prompt: prompt, answer: answer, id: id)
            case .gemini: EmulatedGemini.answer(prompt: prompt, answer: answer, id: id)
            }
        return json(body, status: 200)
    }

    static func error(_ route: EmulatorRoute, status: Int, message: String, headers: HTTPHeaders = [:]) -> HTTPResponse
    {
        let body: JSONValue =
            switch route {
            case .openai, .azure: EmulatedOpenAI.error(status: status, message: message)
            case .anthropic: EmulatedAnthropic.error(status: status, message: message)
            case .gemini: EmulatedGemini.error(status: status, message: message)
            }
        var response = json(body, status: status)
        for (name, value) in headers { response.headers.add(name, value) }
        return response
    }

    /// A 200 whose body stops mid-document: the shape a proxy cutting the stream produces.
    static func malformed(_ route: EmulatorRoute) -> HTTPResponse {
        let text =
            switch route {
            case .openai, .azure: #"{"id":"chatcmpl-emu","choices":[{"message":{"role":"assistant","content":"ech"#
            case .anthropic: #"{"id":"msg_emu","type":"message","content":[{"type":"text","text":"ech"#
            case .gemini: #"{"candidates":[{"content":{"parts":[{"text":"ech"#
            }
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }

    static func json(_ value: JSONValue, status: Int) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: JSONWriter.bytes(value))
    }
}

extension HTTPRequest {
    /// The first value of `name` in the query (no percent-decoding: the emulator's values are plain).
    func queryItem(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.first.map(String.init) == name { return kv.count > 1 ? String(kv[1]) : "" }
        }
        return nil
    }
}
