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
    /// Sent as `Retry-After` (whole seconds) when set.
    var retryAfter: Duration?

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

    /// 503 with `Retry-After`: the scoring queue is full, so the request is shed at once instead of
    /// waiting behind work it cannot overtake.
    static func overloaded(queued: Int, threads: Int, retryAfter: Duration) -> APIProblem {
        var problem = APIProblem(
            status: 503, type: "urn:assay:problem:overloaded", title: "Evaluator overloaded",
            detail: "the scoring queue is full: \(queued) evaluations wait for \(threads) scoring threads "
                + "(--scoring-queue); retry after \(retryAfter.components.seconds) s or at another evaluator")
        problem.retryAfter = retryAfter
        return problem
    }

    /// The request's work was stopped before it finished: 504 when its deadline passed, 503 when
    /// the evaluator is shutting down or has stopped scoring (and when the client left, which no
    /// one reads).
    static func stopped(_ reason: WorkCancellation.Reason?) -> APIProblem {
        switch reason {
        case .deadline:
            return APIProblem(
                status: 504, type: "urn:assay:problem:deadline-exceeded", title: "Request deadline exceeded",
                detail: "the request did not complete within its deadline (--request-timeout-seconds); "
                    + "its work was cancelled")
        case .clientGone, .shutdown, nil:
            var problem = APIProblem(
                status: 503, type: "urn:assay:problem:shutting-down", title: "Evaluator shutting down",
                detail: "the evaluator stopped before the request completed (\(reason?.description ?? "shutdown")); "
                    + "send it to another evaluator")
            problem.retryAfter = .seconds(1)
            return problem
        }
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
        var response = HTTPResponse(
            status: status, headers: ["Content-Type": Self.contentType], body: JSONWriter.bytes(json))
        if let retryAfter { response.headers.replace("Retry-After", with: String(retryAfter.components.seconds)) }
        return response
    }
}
