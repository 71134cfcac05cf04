import AssayCore
import Foundation

/// Issues ServiceAccount tokens (the TokenRequest subresource, what `kubectl create token` calls)
/// and says whose a token is (what a TokenReview asks). Tokens are opaque random strings kept in
/// memory with their ServiceAccount's namespace, name and uid and an expiry; a token stops working
/// when it expires or its ServiceAccount is deleted (or recreated: the uid differs), as bound
/// tokens do. Each token carries the audiences it was requested for (by default the API server's
/// own, ``apiServerAudiences``), and a review succeeds only for audiences it shares with them, as
/// the real server's ServiceAccount token authenticator does. The kubeconfig's token
/// (``Kubeconfig/dummyToken``) reviews as a cluster admin, for the API server's audiences.
final class TokenIssuer: Sendable {
    /// The real API server's default and minimum `expirationSeconds`.
    static let defaultExpirationSeconds = 3600
    static let minimumExpirationSeconds = 600
    /// The API server's audiences (`--api-audiences`, which defaults to the issuer): kubeadm's
    /// issuer. A token requested without audiences has these, and a review without
    /// `spec.audiences` asks for these.
    static let apiServerAudiences = ["https://kubernetes.default.svc.cluster.local"]
    /// The identity of the kubeconfig's token: kubeadm's admin user.
    static let admin = Identity(
        username: "kubernetes-admin", uid: "", groups: ["system:masters", "system:authenticated"])

    struct Identity: Sendable, Hashable {
        var username: String
        var uid: String
        var groups: [String]

        var json: JSONValue {
            var user = JSONObject([("username", .string(username))])
            if !uid.isEmpty { user["uid"] = .string(uid) }
            user["groups"] = .array(groups.map { .string($0) })
            return .object(user)
        }
    }

    private struct Issued: Sendable {
        var namespace: String
        var name: String
        var uid: String
        var expires: Int
        var audiences: [String]
    }

    /// Whose a token is and the audiences a review found it valid for.
    struct Review: Sendable, Hashable {
        var identity: Identity
        var audiences: [String]
    }

    private let tokens = Guarded<[String: Issued]>([:])

    /// A new token for the ServiceAccount `account` (its stored object), valid `seconds` for
    /// `audiences` (the API server's when empty).
    func issue(for account: JSONValue, seconds: Int, audiences: [String] = []) -> (token: String, expires: Int) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = "kube-emulator." + bytes.map { String(format: "%02x", $0) }.joined()
        let expires = Int(Date().timeIntervalSince1970) + seconds
        tokens.withLock {
            $0[token] = Issued(
                namespace: account.at(["metadata", "namespace"])?.stringValue ?? "",
                name: account.at(["metadata", "name"])?.stringValue ?? "",
                uid: account.at(["metadata", "uid"])?.stringValue ?? "", expires: expires,
                audiences: audiences.isEmpty ? Self.apiServerAudiences : audiences)
        }
        return (token, expires)
    }

    /// Whose `token` is, if it is still valid and meant for one of `audiences` (the API server's
    /// when empty), with the audiences it is valid for (the intersection); `account` looks the
    /// ServiceAccount up in the store. `nil` with the reason otherwise.
    func review(
        _ token: String, audiences requested: [String] = [],
        account: (_ namespace: String, _ name: String) -> JSONValue?
    ) -> Result<Review, Refusal> {
        let wanted = requested.isEmpty ? Self.apiServerAudiences : requested
        if token == Kubeconfig.dummyToken {
            let shared = Self.apiServerAudiences.filter(wanted.contains)
            guard !shared.isEmpty else { return .failure(.audiences(Self.apiServerAudiences, wanted)) }
            return .success(Review(identity: Self.admin, audiences: shared))
        }
        guard let issued = tokens.withLock({ $0[token] }), issued.expires > Int(Date().timeIntervalSince1970),
            let current = account(issued.namespace, issued.name),
            current.at(["metadata", "uid"])?.stringValue == issued.uid
        else { return .failure(.invalid) }
        let shared = issued.audiences.filter(wanted.contains)
        guard !shared.isEmpty else { return .failure(.audiences(issued.audiences, wanted)) }
        return .success(
            Review(
                identity: Identity(
                    username: "system:serviceaccount:\(issued.namespace):\(issued.name)", uid: issued.uid,
                    groups: [
                        "system:serviceaccounts", "system:serviceaccounts:\(issued.namespace)", "system:authenticated",
                    ]),
                audiences: shared))
    }

    /// Why a review failed, as `status.error` says it.
    enum Refusal: Error, CustomStringConvertible {
        case invalid
        case audiences(_ token: [String], _ wanted: [String])

        var description: String {
            switch self {
            case .invalid: "invalid bearer token"
            case .audiences(let token, let wanted):
                // The real server's wording (pkg/serviceaccount), Go's %q of a string slice.
                "token audiences \(Self.quoted(token)) is invalid for the target audiences \(Self.quoted(wanted))"
            }
        }

        private static func quoted(_ list: [String]) -> String {
            "[" + list.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        }
    }
}
