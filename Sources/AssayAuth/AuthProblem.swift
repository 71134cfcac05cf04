import AssayCore
import AssayHTTP

/// The answers of a refused request, as `application/problem+json` (RFC 9457) with a URN type like
/// the API's other problems. None repeats the token.
enum AuthProblem {
    /// 401. `invalidToken` adds RFC 6750's `error="invalid_token"` to the challenge.
    static func unauthenticated(invalidToken: Bool) -> HTTPResponse {
        var response = problem(
            status: 401, type: "unauthenticated", title: "Unauthorized",
            detail: invalidToken
                ? "the bearer token was not accepted"
                : "send a bearer token: Authorization: Bearer <token>")
        response.headers.replace(
            "WWW-Authenticate",
            with: "Bearer realm=\"\(AccessGuard.realm)\"" + (invalidToken ? ", error=\"invalid_token\"" : ""))
        return response
    }

    /// 403: authenticated, not allowed.
    static func forbidden(_ user: UserInfo, _ attributes: ResourceAttributes, reason: String) -> HTTPResponse {
        problem(
            status: 403, type: "forbidden", title: "Forbidden",
            detail: "user \"\(user.username)\" may not \(attributes)" + (reason.isEmpty ? "" : ": \(reason)"))
    }

    /// 503: the credentials could not be checked (the API server did not answer); worth a retry.
    static func unavailable(_ reason: String) -> HTTPResponse {
        var response = problem(
            status: 503, type: "authentication-unavailable", title: "Service Unavailable",
            detail: "cannot check the caller's credentials right now (\(reason)); retry shortly")
        response.headers.replace("Retry-After", with: "1")
        return response
    }

    static func problem(status: Int, type: String, title: String, detail: String) -> HTTPResponse {
        let document: JSONValue = .object(
            JSONObject([
                ("type", .string("urn:assay:problem:\(type)")), ("title", .string(title)),
                ("status", .number(Double(status))), ("detail", .string(detail)),
            ]))
        return HTTPResponse(
            status: status, headers: ["Content-Type": "application/problem+json"], body: JSONWriter.bytes(document))
    }
}
