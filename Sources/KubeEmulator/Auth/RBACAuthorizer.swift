import AssayCore

/// Answers a SubjectAccessReview from the stored RBAC objects, as the RBAC authorizer does: the
/// user (or one of its groups, or its ServiceAccount) must be a subject of a ClusterRoleBinding,
/// or of a RoleBinding in the request's namespace, whose Role or ClusterRole has a rule matching
/// the verb, API group, resource (`resource/subresource`) and name. `system:masters` may do
/// anything. Not emulated: aggregated ClusterRoles (`aggregationRule`), and the other authorizers
/// (Node, webhooks).
struct RBACAuthorizer {
    /// What is asked (`SubjectAccessReview.spec`).
    struct Request {
        var user: String
        var groups: [String]
        /// `resourceAttributes`, or `nil` for `nonResourceAttributes`.
        var namespace: String
        var verb: String
        var group: String
        var resource: String
        var subresource: String
        var name: String
        /// `nonResourceAttributes.path`, when the request is about one.
        var path: String?

        init(spec: JSONValue) {
            user = spec["user"]?.stringValue ?? ""
            groups = (spec["groups"]?.arrayValue ?? []).compactMap(\.stringValue)
            let resource = spec["resourceAttributes"]
            let nonResource = spec["nonResourceAttributes"]
            namespace = resource?["namespace"]?.stringValue ?? ""
            verb = resource?["verb"]?.stringValue ?? nonResource?["verb"]?.stringValue ?? ""
            group = resource?["group"]?.stringValue ?? ""
            self.resource = resource?["resource"]?.stringValue ?? ""
            subresource = resource?["subresource"]?.stringValue ?? ""
            name = resource?["name"]?.stringValue ?? ""
            path = resource == nil ? nonResource?["path"]?.stringValue : nil
        }
    }

    let store: Store

    /// `(allowed, reason)` as `SubjectAccessReview.status` says it.
    func review(_ request: Request) -> (allowed: Bool, reason: String) {
        if request.groups.contains("system:masters") { return (true, "RBAC: allowed for group \"system:masters\"") }
        var bindings = store.list(AuthResources.clusterRoleBindings, namespace: nil).items
        if !request.namespace.isEmpty {
            bindings += store.list(AuthResources.roleBindings, namespace: request.namespace).items
        }
        for binding in bindings where binds(binding, request) {
            guard let role = role(of: binding) else { continue }
            for rule in role["rules"]?.arrayValue ?? [] where matches(rule, request) {
                let bindingName = binding.at(["metadata", "name"])?.stringValue ?? ""
                let kind = binding["kind"]?.stringValue ?? "binding"
                let roleName = role.at(["metadata", "name"])?.stringValue ?? ""
                return (
                    true,
                    "RBAC: allowed by \(kind) \"\(bindingName)\" of \(role["kind"]?.stringValue ?? "") \"\(roleName)\""
                )
            }
        }
        return (false, "")
    }

    /// Whether the request's user is one of the binding's subjects.
    private func binds(_ binding: JSONValue, _ request: Request) -> Bool {
        let namespace = binding.at(["metadata", "namespace"])?.stringValue ?? ""
        return (binding["subjects"]?.arrayValue ?? []).contains { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "User": return name == request.user
            case "Group": return request.groups.contains(name)
            case "ServiceAccount":
                let accountNamespace = subject["namespace"]?.stringValue ?? namespace
                return request.user == "system:serviceaccount:\(accountNamespace):\(name)"
            default: return false
            }
        }
    }

    /// The Role (in the binding's namespace) or ClusterRole a binding refers to.
    private func role(of binding: JSONValue) -> JSONValue? {
        let name = binding.at(["roleRef", "name"])?.stringValue ?? ""
        switch binding.at(["roleRef", "kind"])?.stringValue {
        case "ClusterRole":
            return try? store.get(AuthResources.clusterRoles, namespace: "", name: name)
        case "Role":
            guard let namespace = binding.at(["metadata", "namespace"])?.stringValue else { return nil }
            return try? store.get(AuthResources.roles, namespace: namespace, name: name)
        default:
            return nil
        }
    }

    private func matches(_ rule: JSONValue, _ request: Request) -> Bool {
        func list(_ key: String) -> [String] { (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        let verbs = list("verbs")
        guard verbs.contains(request.verb) || verbs.contains("*") else { return false }
        if let path = request.path {
            return list("nonResourceURLs").contains { url in
                url == path || url == "*" || (url.hasSuffix("*") && path.hasPrefix(String(url.dropLast())))
            }
        }
        let groups = list("apiGroups")
        guard groups.contains(request.group) || groups.contains("*") else { return false }
        let resources = list("resources")
        let wanted = request.subresource.isEmpty ? request.resource : "\(request.resource)/\(request.subresource)"
        guard
            resources.contains(wanted) || resources.contains("*")
                || (!request.subresource.isEmpty && resources.contains("*/\(request.subresource)"))
        else { return false }
        let names = list("resourceNames")
        return names.isEmpty || names.contains(request.name)
    }
}
