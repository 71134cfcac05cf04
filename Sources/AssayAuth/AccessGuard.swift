import AssayCore
import AssayHTTP

/// The authentication layer in front of a server's API routes: it wraps each route's handler, so
/// the HTTP server and the router stay unaware of it. A request must carry
/// `Authorization: Bearer <token>`; the ``Authenticator`` says whose the token is (else 401 with
/// `WWW-Authenticate`), the ``Authorizer`` whether that user may do what the route does (else
/// 403), and only then the handler runs. Every wrapped request gets one access-log line with the
/// user's name (never the token). Routes left unwrapped (`/healthz`, `/readyz`, `/metrics`) stay
/// open.
public struct AccessGuard: Sendable {
    /// The `realm` of the `WWW-Authenticate` challenge.
    public static let realm = "assay"

    /// What a route needs before its handler runs.
    public enum Requirement: Sendable {
        /// Authorization for these attributes.
        case authorize(ResourceAttributes)
        /// Answer this once the caller is authenticated, without calling the handler (a run that
        /// belongs to no suite this server knows: there is nothing to authorize against).
        case answer(HTTPResponse)
    }

    public typealias Requirements = @Sendable (HTTPRequest, RouteParameters) async -> Requirement

    /// `nil`: authentication is off (a loopback address with no auth mode); every caller is
    /// ``UserInfo/anonymous``.
    public let authenticator: (any Authenticator)?
    /// `nil`: every authenticated user may use every route (a static token file).
    public let authorizer: (any Authorizer)?
    /// Where access-log lines go; `nil` writes none.
    public let accessLog: AccessLog?

    public init(authenticator: (any Authenticator)?, authorizer: (any Authorizer)? = nil, accessLog: AccessLog? = nil) {
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.accessLog = accessLog
    }

    /// Whether callers must authenticate.
    public var isEnabled: Bool { authenticator != nil }

    /// `handler`, answered only for callers that authenticate and are allowed what `requirements`
    /// says.
    public func protect(_ requirements: @escaping Requirements, _ handler: @escaping Router.Handler) -> Router.Handler {
        { request, parameters in
            let started = ContinuousClock.now
            var user: UserInfo?
            var response: HTTPResponse
            switch await admit(request, parameters, requirements) {
            case .failure(let refusal):
                user = refusal.user
                response = refusal.response
            case .success(let admitted):
                user = admitted
                response = await handler(request, parameters)
            }
            log(request, response, user: user, since: started)
            return response
        }
    }

    /// `protect` for a route whose requirement does not depend on the request.
    public func protect(_ attributes: ResourceAttributes, _ handler: @escaping Router.Handler) -> Router.Handler {
        protect({ _, _ in .authorize(attributes) }, handler)
    }

    private struct Refusal: Error {
        var user: UserInfo?
        var response: HTTPResponse
    }

    private func admit(_ request: HTTPRequest, _ parameters: RouteParameters, _ requirements: Requirements) async
        -> Result<UserInfo, Refusal>
    {
        guard let authenticator else {
            switch await requirements(request, parameters) {
            case .answer(let response): return .failure(Refusal(user: .anonymous, response: response))
            case .authorize: return .success(.anonymous)
            }
        }
        guard let token = Self.bearerToken(request.headers) else {
            return .failure(Refusal(response: AuthProblem.unauthenticated(invalidToken: false)))
        }
        let user: UserInfo
        switch await authenticator.authenticate(token: token) {
        case .authenticated(let found): user = found
        case .rejected: return .failure(Refusal(response: AuthProblem.unauthenticated(invalidToken: true)))
        case .unavailable(let reason): return .failure(Refusal(response: AuthProblem.unavailable(reason)))
        }
        let attributes: ResourceAttributes
        switch await requirements(request, parameters) {
        case .answer(let response): return .failure(Refusal(user: user, response: response))
        case .authorize(let needed): attributes = needed
        }
        guard let authorizer else { return .success(user) }
        switch await authorizer.authorize(user, attributes) {
        case .allowed: return .success(user)
        case .denied(let reason):
            return .failure(Refusal(user: user, response: AuthProblem.forbidden(user, attributes, reason: reason)))
        case .unavailable(let reason):
            return .failure(Refusal(user: user, response: AuthProblem.unavailable(reason)))
        }
    }

    /// The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 9110 §11.1).
    static func bearerToken(_ headers: HTTPHeaders) -> String? {
        guard let value = headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        guard !token.isEmpty, !token.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        return String(token)
    }

    private func log(
        _ request: HTTPRequest, _ response: HTTPResponse, user: UserInfo?, since started: ContinuousClock.Instant
    ) {
        guard let accessLog else { return }
        accessLog.record(
            method: request.method, path: request.path, status: response.status, user: user?.username ?? "-",
            duration: ContinuousClock.now - started)
    }
}
