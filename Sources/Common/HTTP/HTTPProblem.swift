/// An RFC 9457 problem document with type "about:blank", whose title is the status's reason phrase.
struct HTTPProblem: Sendable {
    var status: Int
    var detail: String

    var response: HTTPResponse {
        let title = HTTPStatusCodes.reasonPhrase(status)
        let json =
            "{\"type\":\"about:blank\",\"title\":\(Self.quoted(title)),\"status\":\(status),"
            + "\"detail\":\(Self.quoted(detail))}"
        return HTTPResponse(
            status: status, headers: ["Content-Type": "application/problem+json"], body: Array(json.utf8))
    }

    /// A JSON string literal (RFC 8259 §7).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
