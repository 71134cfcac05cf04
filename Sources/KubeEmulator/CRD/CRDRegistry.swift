import AssayCore

/// The served resource types: the built-ins plus one entry per served version of every
/// CustomResourceDefinition in the store (rebuilt whenever a CRD changes).
struct CRDRegistry: Sendable {
    static let crdResource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")

    private(set) var custom: [ResourceType] = []
    /// Schemas of the built-in kinds, when the emulator has them (unknown fields of built-ins).
    var builtinSchemas: BuiltinSchemas?
    private var sources: [String: JSONValue] = [:]

    var all: [ResourceType] { BuiltinResources.all + custom }

    func resolve(group: String, version: String, resource: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.plural == resource }
    }

    /// The type a stored object belongs to (a CRD's storage version first).
    func type(for resource: GroupResource) -> ResourceType? {
        all.first { $0.groupResource == resource }
    }

    /// Groups with their versions, most preferred first, in the order discovery lists them.
    var groups: [(name: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for type in all where !type.group.isEmpty {
            if versions[type.group] == nil { order.append(type.group) }
            if !(versions[type.group] ?? []).contains(type.version) {
                versions[type.group, default: []].append(type.version)
            }
        }
        return order.map { ($0, versions[$0]!.sorted(by: CRDRegistry.versionPriority)) }
    }

    mutating func rebuild(from crds: [String: JSONValue]) {
        guard crds != sources else { return }
        sources = crds
        custom = crds.keys.sorted().flatMap { key -> [ResourceType] in
            (try? CRDRegistry.types(fromCRD: crds[key]!)) ?? []
        }
    }

    /// Kubernetes version priority: GA before beta before alpha, higher numbers first.
    static func versionPriority(_ a: String, _ b: String) -> Bool {
        func rank(_ v: String) -> (Int, Int, Int) {
            let scanner = Array(v)
            guard scanner.first == "v" else { return (0, 0, 0) }
            let digits = String(scanner.dropFirst().prefix { $0.isNumber })
            let major = Int(digits) ?? 0
            let rest = String(scanner.dropFirst(1 + digits.count))
            if rest.isEmpty { return (3, major, 0) }
            let minor = Int(rest.filter(\.isNumber)) ?? 0
            if rest.hasPrefix("beta") { return (2, major, minor) }
            if rest.hasPrefix("alpha") { return (1, major, minor) }
            return (0, major, 0)
        }
        let (x, y) = (rank(a), rank(b))
        if x != y { return x > y }
        return a < b
    }

    /// Validates a CRD and returns the resource types it serves (the storage version first), or the
    /// 422 a real server would answer.
    static func types(fromCRD crd: JSONValue) throws(APIError) -> [ResourceType] {
        var causes: [APIError.Cause] = []
        let name = crd.at(["metadata", "name"])?.stringValue ?? ""
        func required(_ field: String) {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: field))
        }
        let spec = crd["spec"] ?? .null
        let group = spec["group"]?.stringValue ?? ""
        let names = spec["names"] ?? .null
        let plural = names["plural"]?.stringValue ?? ""
        let kind = names["kind"]?.stringValue ?? ""
        if group.isEmpty { required("spec.group") }
        if plural.isEmpty { required("spec.names.plural") }
        if kind.isEmpty { required("spec.names.kind") }
        if !plural.isEmpty, !group.isEmpty, name != "\(plural).\(group)" {
            causes.append(
                .init(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group",
                    field: "metadata.name"))
        }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope != "Namespaced", scope != "Cluster" {
            causes.append(
                .init(
                    reason: "FieldValueNotSupported",
                    message: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"",
                    field: "spec.scope"))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { required("spec.versions") }
        let storageCount = versions.filter { $0["storage"]?.boolValue == true }.count
        if !versions.isEmpty, storageCount != 1 {
            causes.append(
                .init(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(storageCount): must have exactly one version marked as storage version",
                    field: "spec.versions"))
        }
        var types: [ResourceType] = []
        for (index, version) in versions.enumerated() {
            let path = "spec.versions[\(index)]"
            guard let versionName = version["name"]?.stringValue else {
                required("\(path).name")
                continue
            }
            var schema: StructuralSchema?
            if let openAPI = version.at(["schema", "openAPIV3Schema"]) {
                schema = StructuralSchema(json: openAPI, path: "\(path).schema.openAPIV3Schema", causes: &causes)
            } else {
                required("\(path).schema.openAPIV3Schema")
            }
            let subresources = version["subresources"] ?? .null
            var scale: ResourceType.ScaleSpec?
            if let s = subresources["scale"] {
                scale = ResourceType.ScaleSpec(
                    specReplicasPath: s["specReplicasPath"]?.stringValue ?? "",
                    statusReplicasPath: s["statusReplicasPath"]?.stringValue ?? "",
                    labelSelectorPath: s["labelSelectorPath"]?.stringValue)
            }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).map { column in
                ResourceType.PrinterColumn(
                    name: column["name"]?.stringValue ?? "", type: column["type"]?.stringValue ?? "string",
                    format: column["format"]?.stringValue ?? "",
                    description: column["description"]?.stringValue ?? "",
                    priority: column["priority"]?.intValue ?? 0, jsonPath: column["jsonPath"]?.stringValue ?? "")
            }
            guard version["served"]?.boolValue ?? true else { continue }
            let type = ResourceType(
                group: group, version: versionName, plural: plural,
                singular: names["singular"]?.stringValue ?? kind.lowercased(), kind: kind,
                namespaced: scope != "Cluster",
                shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
                hasStatus: subresources["status"] != nil, scale: scale, printerColumns: columns.isEmpty ? nil : columns,
                tracksGeneration: true, schema: schema, openAPISchema: version.at(["schema", "openAPIV3Schema"]),
                isCustom: true)
            if version["storage"]?.boolValue == true { types.insert(type, at: 0) } else { types.append(type) }
        }
        if !causes.isEmpty {
            throw .invalid(kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, causes: causes)
        }
        return types
    }
}
