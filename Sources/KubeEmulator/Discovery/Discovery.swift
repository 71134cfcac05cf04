import AssayCore

/// The discovery documents kubectl reads before anything else: `/version`, `/api`, `/apis`, and one
/// `APIResourceList` per group version. Aggregated discovery (`apidiscovery.k8s.io/v2`) is not
/// served; clients that ask for it get the legacy documents with `Content-Type: application/json`,
/// which they accept as the fallback.
enum Discovery {
    /// The Kubernetes version the emulator reports (the API generation its semantics follow).
    static let major = "1"
    static let minor = "32"

    static var version: JSONValue {
        [
            "major": .string(major), "minor": .string(minor),
            "gitVersion": .string("v\(major).\(minor).0-assay-emulator"),
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static func group(_ name: String, versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return [
            "name": .string(name), "versions": .array(entries), "preferredVersion": entries.first ?? .null,
        ]
    }

    static func groupList(_ registry: CRDRegistry) -> JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(registry.groups.map { group($0.name, versions: $0.versions) }),
        ]
    }

    static func groupDocument(_ registry: CRDRegistry, name: String) -> JSONValue? {
        guard let entry = registry.groups.first(where: { $0.name == name }) else { return nil }
        guard case .object(var object) = group(entry.name, versions: entry.versions) else { return nil }
        object["kind"] = "APIGroup"
        object["apiVersion"] = "v1"
        return .object(object)
    }

    /// The `APIResourceList` of one group version, or nil when nothing is served there.
    static func resourceList(_ registry: CRDRegistry, group: String, version: String) -> JSONValue? {
        let types = registry.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for type in types {
            var entry = JSONObject([
                ("name", .string(type.plural)), ("singularName", .string(type.singular)),
                ("namespaced", .bool(type.namespaced)), ("kind", .string(type.kind)),
                ("verbs", .array(ResourceType.verbs.map { .string($0) })),
            ])
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(.object(entry))
            let subverbs: JSONValue = ["get", "patch", "update"]
            if type.hasStatus {
                resources.append([
                    "name": .string("\(type.plural)/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": subverbs,
                ])
            }
            if type.scale != nil {
                resources.append([
                    "name": .string("\(type.plural)/scale"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": subverbs,
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources),
        ]
    }
}
