import AssayCore

/// One served resource: its names, scope, subresources, and (for custom resources) its schema.
struct ResourceType: Sendable, Equatable {
    /// Where `/scale` reads and writes, as in a CRD's `subresources.scale` (JSON paths without `$`).
    struct ScaleSpec: Sendable, Equatable {
        var specReplicasPath: String
        var statusReplicasPath: String
        var labelSelectorPath: String?
    }

    /// A Table column; `jsonPath` is relative to the object.
    struct PrinterColumn: Sendable, Equatable {
        var name: String
        var type: String
        var format: String = ""
        var description: String = ""
        var priority: Int = 0
        var jsonPath: String
    }

    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    var hasStatus: Bool = false
    var scale: ScaleSpec? = nil
    var printerColumns: [PrinterColumn]? = nil
    /// Whether `metadata.generation` is kept (types with a spec).
    var tracksGeneration: Bool = true
    /// The structural schema of a custom resource version.
    var schema: StructuralSchema? = nil
    /// A custom resource version's `openAPIV3Schema` as written in its CRD (published in `/openapi/v3`).
    var openAPISchema: JSONValue? = nil
    /// Set for resources a CRD defines.
    var isCustom: Bool = false

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var groupResource: GroupResource { GroupResource(group: group, resource: plural) }
    var listKind: String { "\(kind)List" }

    /// The verbs every emulated resource supports.
    static let verbs: [String] = [
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
    ]
}
