import AssayCore

/// One Kubernetes object: the JSON the API server sent, with typed accessors for the metadata
/// an operator reads and writes. The rest of the object (spec, status, data) is read as JSON.
public struct KubeObject: Sendable, Hashable {
    public var json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    /// A new object with `apiVersion`, `kind` and `metadata.name`/`namespace` filled in.
    public init(_ kind: ResourceKind, name: String, namespace: String? = nil, body: JSONObject = JSONObject()) {
        var object = JSONObject([("apiVersion", .string(kind.apiVersion)), ("kind", .string(kind.kind))])
        var metadata = JSONObject([("name", .string(name))])
        if kind.namespaced, let namespace { metadata["namespace"] = .string(namespace) }
        object["metadata"] = .object(metadata)
        for (key, value) in body where key != "metadata" { object[key] = value }
        self.json = .object(object)
    }

    public subscript(key: String) -> JSONValue? {
        get { json[key] }
        set { Self.set(&json, [key], newValue) }
    }

    public var apiVersion: String? { json["apiVersion"]?.stringValue }
    public var kind: String? { json["kind"]?.stringValue }

    public var name: String? {
        get { metadataString("name") }
        set { setMetadata("name", newValue.map(JSONValue.string)) }
    }
    public var namespace: String? {
        get { metadataString("namespace") }
        set { setMetadata("namespace", newValue.map(JSONValue.string)) }
    }
    public var uid: String? { metadataString("uid") }
    public var resourceVersion: String? {
        get { metadataString("resourceVersion") }
        set { setMetadata("resourceVersion", newValue.map(JSONValue.string)) }
    }
    public var generation: Int? { json["metadata"]?["generation"]?.doubleValue.map { Int($0) } }
    /// RFC 3339, set once deletion has been requested and finalizers are pending.
    public var deletionTimestamp: String? { metadataString("deletionTimestamp") }

    public var labels: [String: String] {
        get { stringMap("labels") }
        set { setMetadata("labels", Self.json(newValue)) }
    }
    public var annotations: [String: String] {
        get { stringMap("annotations") }
        set { setMetadata("annotations", Self.json(newValue)) }
    }
    public var finalizers: [String] {
        get { (json["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }
        set { setMetadata("finalizers", newValue.isEmpty ? nil : .array(newValue.map(JSONValue.string))) }
    }
    public var ownerReferences: [OwnerReference] {
        get { (json["metadata"]?["ownerReferences"]?.arrayValue ?? []).compactMap(OwnerReference.init(json:)) }
        set { setMetadata("ownerReferences", newValue.isEmpty ? nil : .array(newValue.map(\.json))) }
    }

    /// `namespace/name` (or `name` for cluster-scoped objects), the key of ``ObjectCache``.
    public var key: ObjectKey { ObjectKey(namespace: namespace, name: name ?? "") }

    private func metadataString(_ key: String) -> String? { json["metadata"]?[key]?.stringValue }

    private func stringMap(_ key: String) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in json["metadata"]?[key]?.objectValue ?? JSONObject() {
            if let s = v.stringValue { out[k] = s }
        }
        return out
    }

    private mutating func setMetadata(_ key: String, _ value: JSONValue?) {
        Self.set(&json, ["metadata", key], value)
    }

    private static func json(_ map: [String: String]) -> JSONValue? {
        map.isEmpty ? nil : .object(JSONObject(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }

    /// Sets (or with `nil` removes) the member at `path`, creating objects on the way.
    static func set(_ root: inout JSONValue, _ path: ArraySlice<String>, _ value: JSONValue?) {
        guard let first = path.first else { return }
        var object = root.objectValue ?? JSONObject()
        if path.count == 1 {
            object[first] = value
        } else {
            var child = object[first] ?? .object(JSONObject())
            set(&child, path.dropFirst(), value)
            object[first] = child
        }
        root = .object(object)
    }

    static func set(_ root: inout JSONValue, _ path: [String], _ value: JSONValue?) {
        set(&root, path[...], value)
    }
}

/// `metadata.ownerReferences[]`: who owns an object, for garbage collection and for mapping an
/// owned object's event back to its owner.
public struct OwnerReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool
    public var blockOwnerDeletion: Bool

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool = false,
        blockOwnerDeletion: Bool = false
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// The controller reference to `owner`, as an operator sets on what it creates.
    public init?(controlledBy owner: KubeObject) {
        guard let apiVersion = owner.apiVersion, let kind = owner.kind, let name = owner.name, let uid = owner.uid
        else { return nil }
        self.init(apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: true, blockOwnerDeletion: true)
    }

    init?(json: JSONValue) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue,
            let name = json["name"]?.stringValue, let uid = json["uid"]?.stringValue
        else { return nil }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name, uid: uid,
            controller: json["controller"]?.boolValue ?? false,
            blockOwnerDeletion: json["blockOwnerDeletion"]?.boolValue ?? false)
    }

    var json: JSONValue {
        .object(
            JSONObject([
                ("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("name", .string(name)),
                ("uid", .string(uid)), ("controller", .bool(controller)),
                ("blockOwnerDeletion", .bool(blockOwnerDeletion)),
            ]))
    }
}

/// An object's identity within one resource type: namespace (`nil` when cluster-scoped) and name.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
    }

    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}
