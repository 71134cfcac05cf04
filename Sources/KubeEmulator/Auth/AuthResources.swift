/// The stored objects authentication and authorization read: ServiceAccounts (whose tokens
/// ``TokenIssuer`` issues) and RBAC's Roles, ClusterRoles and their bindings (which
/// ``RBACAuthorizer`` evaluates). Plain objects, as in the real API server; listed among the
/// built-ins (``BuiltinResources``).
enum AuthResources {
    static let rbacGroup = "rbac.authorization.k8s.io"

    static let serviceAccounts = ResourceType(
        group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
        namespaced: true, shortNames: ["sa"], tracksGeneration: false)
    static let roles = ResourceType(
        group: rbacGroup, version: "v1", plural: "roles", singular: "role", kind: "Role", namespaced: true,
        tracksGeneration: false)
    static let roleBindings = ResourceType(
        group: rbacGroup, version: "v1", plural: "rolebindings", singular: "rolebinding", kind: "RoleBinding",
        namespaced: true, tracksGeneration: false)
    static let clusterRoles = ResourceType(
        group: rbacGroup, version: "v1", plural: "clusterroles", singular: "clusterrole", kind: "ClusterRole",
        namespaced: false, tracksGeneration: false)
    static let clusterRoleBindings = ResourceType(
        group: rbacGroup, version: "v1", plural: "clusterrolebindings", singular: "clusterrolebinding",
        kind: "ClusterRoleBinding", namespaced: false, tracksGeneration: false)
}
