/// Who a request comes from, as Kubernetes describes a user (`TokenReview.status.user`): a name, an
/// optional uid and groups. Never holds the credential it was established with.
public struct UserInfo: Sendable, Hashable, CustomStringConvertible {
    /// What the access log records when authentication is off (Kubernetes' name for it).
    public static let anonymous = UserInfo(username: "system:anonymous", groups: ["system:unauthenticated"])

    public var username: String
    public var uid: String?
    public var groups: [String]

    public init(username: String, uid: String? = nil, groups: [String] = []) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }

    public var description: String { username }
}
