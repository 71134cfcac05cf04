import AssayCore
import Glibc

/// Renders objects as `meta.k8s.io/v1` Tables (what `kubectl get` asks for with
/// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): a Name column, then a CRD's
/// `additionalPrinterColumns`, or Age when it declares none (also what built-ins get here).
enum TableConverter {
    /// What `includeObject=` asks rows to carry.
    enum IncludeObject: String, Sendable {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    static func columns(_ type: ResourceType) -> [ResourceType.PrinterColumn] {
        let name = ResourceType.PrinterColumn(
            name: "Name", type: "string", format: "name",
            description: "Name must be unique within a namespace.", jsonPath: ".metadata.name")
        if let custom = type.printerColumns { return [name] + custom }
        let age = ResourceType.PrinterColumn(
            name: "Age", type: "date",
            description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
            jsonPath: ".metadata.creationTimestamp")
        return [name] + (builtinColumns[type.plural] ?? []) + [age]
    }

    /// A few of the real server's columns for built-ins that JSONPath can express.
    static let builtinColumns: [String: [ResourceType.PrinterColumn]] = [
        "namespaces": [.init(name: "Status", type: "string", jsonPath: ".status.phase")],
        "deployments": [
            .init(name: "Replicas", type: "integer", jsonPath: ".spec.replicas"),
            .init(name: "Available", type: "integer", jsonPath: ".status.availableReplicas"),
        ],
        "services": [
            .init(name: "Type", type: "string", jsonPath: ".spec.type"),
            .init(name: "Cluster-IP", type: "string", jsonPath: ".spec.clusterIP"),
        ],
        "leases": [.init(name: "Holder", type: "string", jsonPath: ".spec.holderIdentity")],
        "customresourcedefinitions": [],
    ]

    static func table(
        _ type: ResourceType, objects: [JSONValue], resourceVersion: String?, include: IncludeObject,
        withColumns: Bool = true, now: Int = Int(time(nil))
    ) -> JSONValue {
        let columns = columns(type)
        var metadata = JSONObject()
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        var table = JSONObject([("kind", "Table"), ("apiVersion", "meta.k8s.io/v1"), ("metadata", .object(metadata))])
        table["columnDefinitions"] = .array(
            withColumns
                ? columns.map { column in
                    [
                        "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                        "description": .string(column.description), "priority": .number(Double(column.priority)),
                    ]
                } : [])
        table["rows"] = .array(
            objects.map { object in
                var row = JSONObject([("cells", .array(columns.map { cell($0, object, now: now) }))])
                switch include {
                case .none: break
                case .object: row["object"] = object
                case .metadata:
                    row["object"] = [
                        "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": object["metadata"] ?? .object(JSONObject()),
                    ]
                }
                return .object(row)
            })
        return .object(table)
    }

    static func cell(_ column: ResourceType.PrinterColumn, _ object: JSONValue, now: Int) -> JSONValue {
        let values = JSONPath.evaluate(column.jsonPath, in: object)
        guard let first = values.first else { return column.type == "date" ? "<unknown>" : .null }
        if column.type == "date", let text = first.stringValue, let seconds = Timestamp.parse(text) {
            return .string(humanDuration(max(0, now - seconds)))
        }
        if values.count > 1 {
            return .string(values.map { $0.stringValue ?? JSONCodec.string($0) }.joined(separator: ","))
        }
        switch (column.type, first) {
        case ("string", .object), ("string", .array): return .string(JSONCodec.string(first))
        default: return first
        }
    }

    /// The API machinery's short human duration ("45s", "3m20s", "5h", "12d").
    static func humanDuration(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if days < 8 { return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h" }
        if days < 365 * 2 { return "\(days)d" }
        return "\(days / 365)y"
    }
}
