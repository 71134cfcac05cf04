import AssayCore
import AssayKube

/// `--auth kubernetes`, authorization: whether the authenticated user may do what the request
/// does is asked of the API server in a `SubjectAccessReview`, so the cluster's RBAC (Roles and
/// bindings granting verbs on `eval.assay.dev` resources) decides. Answers are cached as
/// kube-rbac-proxy caches them: allowed for 5 minutes, denied for 30 seconds.
public struct SubjectAccessReviewAuthorizer: Authorizer {
    /// kube-rbac-proxy's `AllowCacheTTL` and `DenyCacheTTL`.
    public static let allowedTTL = Duration.seconds(300)
    public static let deniedTTL = Duration.seconds(30)

    struct Key: Hashable, Sendable {
        var user: UserInfo
        var attributes: ResourceAttributes
    }

    static let subjectAccessReviews = ResourceKind(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview",
        namespaced: false)

    private let client: KubeClient
    private let cache: DecisionCache<Key, AuthorizationDecision>

    public init(client: KubeClient) {
        self.client = client
        cache = DecisionCache()
    }

    public func authorize(_ user: UserInfo, _ attributes: ResourceAttributes) async -> AuthorizationDecision {
        let key = Key(user: user, attributes: attributes)
        if let cached = cache.value(forKey: key) { return cached }
        var spec = JSONObject([
            ("user", .string(user.username)), ("groups", .array(user.groups.map { .string($0) })),
            ("resourceAttributes", attributes.json),
        ])
        if let uid = user.uid { spec["uid"] = .string(uid) }
        let review: JSONValue = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": .object(spec),
        ]
        let answer: KubeObject
        do {
            answer = try await client.create(KubeObject(review), as: Self.subjectAccessReviews)
        } catch {
            return .unavailable("SubjectAccessReview failed: \(error)")
        }
        let decision = Self.decision(answer["status"])
        cache.insert(decision, forKey: key, ttl: decision == .allowed ? Self.allowedTTL : Self.deniedTTL)
        return decision
    }

    /// `status.allowed` and `status.reason` of a SubjectAccessReview.
    static func decision(_ status: JSONValue?) -> AuthorizationDecision {
        if status?["allowed"]?.boolValue == true { return .allowed }
        return .denied(reason: status?["reason"]?.stringValue ?? "")
    }
}
