import AssayCore
import AssayKube
import Foundation

/// `--auth kubernetes`, authentication: the token (typically the caller's ServiceAccount token) is
/// sent to the API server in a `TokenReview`, which says whose it is. Answers, yes or no, are
/// cached for ``defaultTTL`` under a digest of the token (the token itself is not kept).
///
/// With `audiences` (`--auth-token-audiences`, as kube-rbac-proxy's option of that name) the review
/// asks whether the token was issued for one of them, and a token is accepted only when the answer's
/// `status.audiences` names one: an audience-aware API server says so, and one that does not is not
/// trusted to have checked (what the TokenReview API asks of its clients, and what the API server's
/// own webhook authenticator does). A token issued for another service, or for the API server
/// itself, is then refused, and a token callers send here is useless anywhere else. Without
/// audiences the API server checks its own, so callers send tokens valid for the API server.
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
    /// The audiences a token must have been issued for; empty: the API server's own.
    public let audiences: [String]

    public init(
        client: KubeClient, audiences: [String] = [], ttl: Duration = defaultTTL,
        cache: DecisionCache<String, AuthenticationResult> = DecisionCache()
    ) {
        self.client = client
        self.audiences = audiences
        self.ttl = ttl
        self.cache = cache
    }

    public func authenticate(token: String) async -> AuthenticationResult {
        let key = SHA1.hexDigest(token.utf8)
        if let cached = cache.value(forKey: key) { return cached }
        var spec = JSONObject([("token", .string(token))])
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map { .string($0) }) }
        let review: JSONValue = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": .object(spec),
        ]
        let answer: KubeObject
        do {
            answer = try await client.create(KubeObject(review), as: Self.tokenReviews)
        } catch {
            return .unavailable("TokenReview failed: \(error)")
        }
        let result = Self.result(answer["status"], audiences: audiences)
        cache.insert(result, forKey: key, ttl: ttl)
        return result
    }

    /// The audiences of `--auth-token-audiences`: comma-separated, blanks dropped.
    public static func audiences(parsing text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `status.authenticated` and `status.user` of a TokenReview that asked for `audiences`: with
    /// audiences, `status.audiences` must name one of them.
    static func result(_ status: JSONValue?, audiences: [String] = []) -> AuthenticationResult {
        guard status?["authenticated"]?.boolValue == true, let user = status?["user"],
            let name = user["username"]?.stringValue, !name.isEmpty
        else { return .rejected }
        if !audiences.isEmpty {
            let granted = (status?["audiences"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard granted.contains(where: audiences.contains) else { return .rejected }
        }
        return .authenticated(
            UserInfo(
                username: name, uid: user["uid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                groups: (user["groups"]?.arrayValue ?? []).compactMap(\.stringValue)))
    }
}
