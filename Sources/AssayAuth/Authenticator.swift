import AssayCore

/// Establishes who presented a bearer token: the seam between the API and where identities live
/// (a static token file, or the Kubernetes API's TokenReview).
public protocol Authenticator: Sendable {
    func authenticate(token: String) async -> AuthenticationResult
}

/// What an ``Authenticator`` concluded about one token.
public enum AuthenticationResult: Sendable, Hashable {
    case authenticated(UserInfo)
    /// Not a valid token: the caller gets 401.
    case rejected
    /// The answer could not be obtained (the API server is unreachable): the caller gets 503 and
    /// nothing is cached. `reason` never contains the token.
    case unavailable(String)
}

/// Decides whether a user may do something: the seam between the API and where permissions live
/// (the Kubernetes API's SubjectAccessReview).
public protocol Authorizer: Sendable {
    func authorize(_ user: UserInfo, _ attributes: ResourceAttributes) async -> AuthorizationDecision
}

/// What an ``Authorizer`` concluded.
public enum AuthorizationDecision: Sendable, Hashable {
    case allowed
    /// `reason` is the authorizer's explanation, if it gave one.
    case denied(reason: String)
    case unavailable(String)
}

/// A Kubernetes authorization request's resource attributes (`SubjectAccessReview.spec.resourceAttributes`):
/// the evaluation API is authorized as verbs on resources of `eval.assay.dev`, so RBAC Roles grant it.
public struct ResourceAttributes: Sendable, Hashable, CustomStringConvertible {
    /// Our API group, the one the CRD lives in.
    public static let group = "eval.assay.dev"

    public var namespace: String
    public var verb: String
    public var group: String
    public var resource: String
    public var subresource: String
    public var name: String

    public init(
        namespace: String, verb: String, group: String = ResourceAttributes.group, resource: String,
        subresource: String = "", name: String = ""
    ) {
        self.namespace = namespace
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }

    /// `create` on `evaluations`: POST /v1/evaluate, /v1/evaluate/batch, and GET /v1/providers.
    public static func evaluations(namespace: String) -> ResourceAttributes {
        ResourceAttributes(namespace: namespace, verb: "create", resource: "evaluations")
    }

    /// `get` on `evaluationsuites/results` (of the suite `name`, when known): a run's results.
    public static func results(namespace: String, suite: String = "") -> ResourceAttributes {
        ResourceAttributes(
            namespace: namespace, verb: "get", resource: "evaluationsuites", subresource: "results", name: suite)
    }

    /// `create evaluations.eval.assay.dev in namespace "x"`, as messages say it.
    public var description: String {
        let resource = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
        let named = name.isEmpty ? "" : " \"\(name)\""
        return "\(verb) \(resource).\(group)\(named) in namespace \"\(namespace)\""
    }

    /// The `resourceAttributes` object of a SubjectAccessReview.
    public var json: JSONValue {
        var object = JSONObject([
            ("namespace", .string(namespace)), ("verb", .string(verb)), ("group", .string(group)),
            ("resource", .string(resource)),
        ])
        if !subresource.isEmpty { object["subresource"] = .string(subresource) }
        if !name.isEmpty { object["name"] = .string(name) }
        return .object(object)
    }
}
