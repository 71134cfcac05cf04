import AssayCore
import Foundation

/// Issues ServiceAccount tokens (the TokenRequest subresource, what `kubectl create token` calls)
/// and says whose a token is (what a TokenReview asks). Tokens are opaque random strings kept in
/// memory with their ServiceAccount's namespace, name and uid and an expiry; a token stops working
/// when it expires or its ServiceAccount is deleted (or recreated: the uid differs), as bound
/// tokens do. The kubeconfig's token (``Kubeconfig/dummyToken``) reviews as a cluster admin.
final class TokenIssuer: Sendable {
    /// The real API server's default and minimum `expirationSeconds`.
    static let defaultExpirationSeconds = 3600
    static let minimumExpirationSeconds = 600
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
    }

    private let tokens = Guarded<[String: Issued]>([:])

    /// A new token for the ServiceAccount `account` (its stored object), valid `seconds`.
    func issue(for account: JSONValue, seconds: Int) -> (token: String, expires: Int) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = "kube-emulator." + bytes.map { String(format: "%02x", $0) }.joined()
        let expires = Int(Date().timeIntervalSince1970) + seconds
        tokens.withLock {
            $0[token] = Issued(
                namespace: account.at(["metadata", "namespace"])?.stringValue ?? "",
                name: account.at(["metadata", "name"])?.stringValue ?? "",
                uid: account.at(["metadata", "uid"])?.stringValue ?? "", expires: expires)
        }
        return (token, expires)
    }

    /// Whose `token` is, if it is still valid; `account` looks the ServiceAccount up in the store.
    func identity(of token: String, account: (_ namespace: String, _ name: String) -> JSONValue?) -> Identity? {
        if token == Kubeconfig.dummyToken { return Self.admin }
        guard let issued = tokens.withLock({ $0[token] }), issued.expires > Int(Date().timeIntervalSince1970),
            let current = account(issued.namespace, issued.name),
            current.at(["metadata", "uid"])?.stringValue == issued.uid
        else { return nil }
        return Identity(
            username: "system:serviceaccount:\(issued.namespace):\(issued.name)", uid: issued.uid,
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(issued.namespace)", "system:authenticated"])
    }
}
