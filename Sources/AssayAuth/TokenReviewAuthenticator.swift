import AssayCore
import AssayKube

/// `--auth kubernetes`, authentication: the token (typically the caller's ServiceAccount token) is
/// sent to the API server in a `TokenReview`, which says whose it is. Answers, yes or no, are
/// cached for ``defaultTTL`` under a digest of the token (the token itself is not kept).
public struct TokenReviewAuthenticator: Authenticator {
    /// kube-rbac-proxy's authentication cache TTL (its delegating authenticator's `CacheTTL`), for
    /// valid and invalid tokens alike.
    public static let defaultTTL = Duration.seconds(120)

    static let tokenReviews = ResourceKind(
        group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview",
        namespaced: false)

    private let client: KubeClient
    private let cache: DecisionCache<String, AuthenticationResult>
    private let ttl: Duration

    public init(
        client: KubeClient, ttl: Duration = defaultTTL,
        cache: DecisionCache<String, AuthenticationResult> = DecisionCache()
    ) {
        self.client = client
        self.ttl = ttl
        self.cache = cache
    }

    public func authenticate(token: String) async -> AuthenticationResult {
        let key = SHA1.hexDigest(token.utf8)
        if let cached = cache.value(forKey: key) { return cached }
        let review: JSONValue = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)],
        ]
        let answer: KubeObject
        do {
            answer = try await client.create(KubeObject(review), as: Self.tokenReviews)
        } catch {
            return .unavailable("TokenReview failed: \(error)")
        }
        let result = Self.result(answer["status"])
        cache.insert(result, forKey: key, ttl: ttl)
        return result
    }

    /// `status.authenticated` and `status.user` of a TokenReview.
    static func result(_ status: JSONValue?) -> AuthenticationResult {
        guard status?["authenticated"]?.boolValue == true, let user = status?["user"],
            let name = user["username"]?.stringValue, !name.isEmpty
        else { return .rejected }
        return .authenticated(
            UserInfo(
                username: name, uid: user["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                groups: (user["groups"]?.arrayValue ?? []).compactMap(\.stringValue)))
    }
}
