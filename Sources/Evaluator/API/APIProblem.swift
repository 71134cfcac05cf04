import AssayCore
import AssayHTTP
import Gateway
import Scoring

/// An error answer in the shape of RFC 9457 (`application/problem+json`), with an `errors`
/// extension member that lists every bad field by path:
///
/// ```json
/// {"type": "urn:assay:problem:invalid-request", "title": "Invalid request", "status": 400,
///  "detail": "2 fields are invalid", "errors": [{"path": "criteria[2].pattern", "message": "..."}]}
/// ```
struct APIProblem: Error, Sendable {
    var status: Int
    /// A URN, not a URL: there is no page to dereference, and RFC 9457 allows any URI.
    var type: String
    var title: String
    var detail: String
    var errors: [FieldError] = []
    /// Extension members beyond `errors` (RFC 9457 §3.2), such as a failed generation's `attempts`.
    var extensions = JSONObject()

    static let contentType = "application/problem+json"

    static func invalidJSON(_ error: JSONParseError) -> APIProblem {
        APIProblem(
            status: 400, type: "urn:assay:problem:invalid-json", title: "Body is not valid JSON",
            detail: error.description)
    }

    static func invalidRequest(_ errors: [FieldError]) -> APIProblem {
        let detail =
            errors.count == 1
            ? errors[0].description
            : "\(errors.count) fields are invalid; see errors"
        return APIProblem(
            status: 422, type: "urn:assay:problem:invalid-request", title: "Invalid request", detail: detail,
            errors: errors)
    }

    static func unsupportedMediaType(_ got: String) -> APIProblem {
        APIProblem(
            status: 415, type: "urn:assay:problem:unsupported-media-type", title: "Unsupported media type",
            detail: "send the body as application/json, got \(got)")
    }

    /// 502: every provider of a target's chain failed; `attempts` lists each one's outcome.
    static func generationFailed(_ failure: GenerationFailure) -> APIProblem {
        var problem = APIProblem(
            status: 502, type: "urn:assay:problem:generation-failed",
            title: "No provider could generate the output", detail: failure.description)
        problem.extensions["attempts"] = .array(failure.attempts.map(\.json))
        return problem
    }

    var json: JSONValue {
        var object = JSONObject()
        object["type"] = .string(type)
        object["title"] = .string(title)
        object["status"] = .number(Double(status))
        object["detail"] = .string(detail)
        if !errors.isEmpty {
            object["errors"] = .array(
                errors.map { .object(JSONObject([("path", .string($0.path)), ("message", .string($0.message))])) })
        }
        for (key, value) in extensions { object[key] = value }
        return .object(object)
    }

    var response: HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": Self.contentType], body: JSONWriter.bytes(json))
    }
}
