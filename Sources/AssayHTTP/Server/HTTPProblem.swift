import AssayCore

/// An RFC 9457 problem document with type "about:blank", whose title is the status's reason phrase.
struct HTTPProblem: Sendable {
    var status: Int
    var detail: String

    var response: HTTPResponse {
        let document: JSONValue = .object(
            JSONObject([
                ("type", "about:blank"),
                ("title", .string(HTTPStatusCodes.reasonPhrase(status))),
                ("status", .number(Double(status))),
                ("detail", .string(detail)),
            ]))
        return HTTPResponse(
            status: status, headers: ["Content-Type": "application/problem+json"], body: JSONWriter.bytes(document))
    }
}
