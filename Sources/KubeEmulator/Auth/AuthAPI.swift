import AssayCore

/// The authentication and authorization endpoints, which create nothing that is stored:
///
/// - `POST /apis/authentication.k8s.io/v1/tokenreviews`: whose is `spec.token` (``TokenIssuer``).
/// - `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`: may `spec.user` do
///   `spec.resourceAttributes` (``RBACAuthorizer``).
/// - `POST /api/v1/namespaces/{namespace}/serviceaccounts/{name}/token`: a token for that
///   ServiceAccount (the TokenRequest subresource, `kubectl create token`), valid
///   `spec.expirationSeconds` (JSON, or kubectl's protobuf).
///
/// The emulator itself still accepts every request whatever its token (see the README).
struct AuthAPI {
    static let tokenReviews = GroupResource(group: "authentication.k8s.io", resource: "tokenreviews")
    static let subjectAccessReviews = GroupResource(group: "authorization.k8s.io", resource: "subjectaccessreviews")
    /// The groups these endpoints live in (served here, never forwarded in front mode).
    static let groups: Set<String> = [tokenReviews.group, subjectAccessReviews.group]

    let store: Store
    let issuer = TokenIssuer()

    /// The answer when `request` is one of these endpoints, `nil` otherwise; `label` is set to what
    /// the request is counted as.
    func route(_ request: EmulatorRequest, segments: [String], label: inout RequestCounter.Label)
        throws(APIError) -> EmulatorReply?
    {
        switch segments {
        case ["apis", "authentication.k8s.io", "v1", "tokenreviews"]:
            label = RequestCounter.Label(verb: "create", resource: Self.tokenReviews.display)
            guard request.method == "POST" else { throw .methodNotAllowed("tokenreviews only accept create (POST)") }
            return APIServer.reply(201, tokenReview(try body(request)))
        case ["apis", "authorization.k8s.io", "v1", "subjectaccessreviews"]:
            label = RequestCounter.Label(verb: "create", resource: Self.subjectAccessReviews.display)
            guard request.method == "POST" else {
                throw .methodNotAllowed("subjectaccessreviews only accept create (POST)")
            }
            return APIServer.reply(201, subjectAccessReview(try body(request)))
        default:
            guard segments.count == 7, segments[0] == "api", segments[1] == "v1", segments[2] == "namespaces",
                segments[4] == "serviceaccounts", segments[6] == "token"
            else { return nil }
            label = RequestCounter.Label(verb: "create", resource: "serviceaccounts/token")
            guard request.method == "POST" else { throw .methodNotAllowed("serviceaccounts/token only accepts create") }
            return APIServer.reply(201, try tokenRequest(namespace: segments[3], name: segments[5], request))
        }
    }

    private func body(_ request: EmulatorRequest) throws(APIError) -> JSONValue {
        do {
            return try JSONCodec.parse(request.body)
        } catch {
            throw .badRequest("the request body is not valid JSON: \(error)")
        }
    }

    private func tokenReview(_ review: JSONValue) -> JSONValue {
        let token = review.at(["spec", "token"])?.stringValue ?? ""
        let requested = (review.at(["spec", "audiences"])?.arrayValue ?? []).compactMap(\.stringValue)
        let result = issuer.review(token, audiences: requested) { namespace, name in
            try? store.get(AuthResources.serviceAccounts, namespace: namespace, name: name)
        }
        var status = JSONObject()
        switch result {
        case .success(let found):
            status["authenticated"] = true
            status["user"] = found.identity.json
            status["audiences"] = .array(found.audiences.map { .string($0) })
        case .failure(let refusal):
            status["authenticated"] = false
            status["error"] = .string(refusal.description)
        }
        var spec = JSONObject()
        if let audiences = review.at(["spec", "audiences"]) { spec["audiences"] = audiences }
        return [
            "kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["creationTimestamp": .null], "spec": .object(spec), "status": .object(status),
        ]
    }

    private func subjectAccessReview(_ review: JSONValue) -> JSONValue {
        let spec = review["spec"] ?? .object(JSONObject())
        let (allowed, reason) = RBACAuthorizer(store: store).review(RBACAuthorizer.Request(spec: spec))
        var status = JSONObject([("allowed", .bool(allowed))])
        if !reason.isEmpty { status["reason"] = .string(reason) }
        return [
            "kind": "SubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": ["creationTimestamp": .null], "spec": spec, "status": .object(status),
        ]
    }

    private func tokenRequest(namespace: String, name: String, _ request: EmulatorRequest) throws(APIError)
        -> JSONValue
    {
        let account = try store.get(AuthResources.serviceAccounts, namespace: namespace, name: name)
        let json: JSONValue =
            request.body.isEmpty
            ? .object(JSONObject())
            : (request.header("content-type") ?? "").hasPrefix("application/vnd.kubernetes.protobuf")
                ? try ProtobufDecoder.decode(request.body) : try body(request)
        let seconds =
            json.at(["spec", "expirationSeconds"])?.doubleValue.map(Int.init) ?? TokenIssuer.defaultExpirationSeconds
        guard seconds >= TokenIssuer.minimumExpirationSeconds else {
            throw .badRequest(
                "spec.expirationSeconds: Invalid value: \(seconds): may not specify a duration less than 10 minutes")
        }
        let audiences = (json.at(["spec", "audiences"])?.arrayValue ?? []).compactMap(\.stringValue)
        let (token, expires) = issuer.issue(for: account, seconds: seconds, audiences: audiences)
        var spec = JSONObject([("expirationSeconds", .number(Double(seconds)))])
        let granted = audiences.isEmpty ? TokenIssuer.apiServerAudiences : audiences
        spec["audiences"] = .array(granted.map { .string($0) })
        return [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(Timestamp.now()),
            ],
            "spec": .object(spec),
            "status": [
                "token": .string(token), "expirationTimestamp": .string(Timestamp.format(secondsSinceEpoch: expires)),
            ],
        ]
    }
}
