import Common

/// Server-side apply (`application/apply-patch+yaml`) with field managers, recorded in
/// `metadata.managedFields` as `FieldsV1`.
///
/// Simplifications: lists are atomic (replaced whole and owned as one field), and an `Update` manager
/// owns exactly the fields its writes changed.
enum ServerSideApply {
    typealias FieldPath = [String]

    /// The leaf fields a configuration sets; metadata contributes labels, annotations, finalizers and
    /// owner references only.
    static func fields(of config: JSONValue) -> Set<FieldPath> {
        var out: Set<FieldPath> = []
        func walk(_ value: JSONValue, _ path: FieldPath) {
            if case .object(let members) = value, !members.isEmpty {
                for (key, member) in members { walk(member, path + [key]) }
            } else {
                out.insert(path)
            }
        }
        for (key, member) in config.objectValue ?? JSONObject() {
            switch key {
            case "apiVersion", "kind": continue
            case "metadata":
                for field in ["labels", "annotations"] {
                    for (k, v) in member[field]?.objectValue ?? JSONObject() { walk(v, ["metadata", field, k]) }
                }
                for field in ["finalizers", "ownerReferences"] where member[field] != nil {
                    out.insert(["metadata", field])
                }
            default: walk(member, [key])
            }
        }
        return out
    }

    static func encode(_ fields: Set<FieldPath>) -> JSONValue {
        var root = JSONValue.object(JSONObject())
        for path in fields.sorted(by: { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") }) {
            root.set(path.map { "f:\($0)" }, .object(JSONObject()))
        }
        return root
    }

    static func decode(_ fieldsV1: JSONValue?) -> Set<FieldPath> {
        var out: Set<FieldPath> = []
        func walk(_ value: JSONValue, _ path: FieldPath) {
            let children = (value.objectValue ?? JSONObject()).filter { $0.key.hasPrefix("f:") }
            if children.isEmpty {
                if !path.isEmpty { out.insert(path) }
                return
            }
            for (key, member) in children { walk(member, path + [String(key.dropFirst(2))]) }
        }
        if let fieldsV1 { walk(fieldsV1, []) }
        return out
    }

    /// Applies `config` for `manager` to `live` (nil: create). Throws 409 with one cause per conflicting
    /// field unless `force`.
    static func apply(
        _ config: JSONValue, to live: JSONValue?, manager: String, force: Bool, type: ResourceType
    ) throws(APIError) -> JSONValue {
        guard case .object = config else { throw .badRequest("the apply configuration must be an object") }
        let applied = fields(of: config)
        let name = config.at(["metadata", "name"])?.stringValue ?? live?.at(["metadata", "name"])?.stringValue ?? ""
        var entries = live?.at(["metadata", "managedFields"])?.arrayValue ?? []
        var conflicts: [APIError.Cause] = []
        var others: Set<FieldPath> = []
        for index in entries.indices {
            let entry = entries[index]
            let owner = entry["manager"]?.stringValue ?? ""
            let operation = entry["operation"]?.stringValue ?? ""
            if owner == manager, operation == "Apply" { continue }
            var owned = decode(entry["fieldsV1"])
            for path in owned.intersection(applied) where live?.at(path) != config.at(path) {
                if force {
                    owned.remove(path)
                } else {
                    conflicts.append(
                        .init(
                            reason: "FieldManagerConflict",
                            message:
                                "conflict with \"\(owner)\"\(operation == "Update" ? " using \(type.apiVersion)" : "")",
                            field: "." + path.joined(separator: ".")))
                }
            }
            if force { entries[index].set(["fieldsV1"], encode(owned)) }
            others.formUnion(owned)
        }
        if !conflicts.isEmpty {
            let list = conflicts.map { "- \($0.message): \($0.field)" }.joined(separator: "\n")
            var error = APIError.conflict(
                type.groupResource, name,
                message: "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): "
                    + conflicts.map { "\($0.message): \($0.field)" }.joined(separator: ", "))
            error.message = "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"):\n\(list)"
            error.causes = conflicts
            throw error
        }
        let previous = entries.first {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply"
        }
        let previouslyOwned = decode(previous?["fieldsV1"])
        var object = live ?? .object(JSONObject())
        for path in previouslyOwned.subtracting(applied).subtracting(others) {
            object.set(path, nil)
            // Drop parents the removal left empty.
            var parent = Array(path.dropLast())
            while !parent.isEmpty, object.at(parent)?.objectValue?.isEmpty == true {
                object.set(parent, nil)
                parent.removeLast()
            }
        }
        object = merge(config, into: object)
        entries.removeAll {
            ($0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply")
                || decode($0["fieldsV1"]).isEmpty
        }
        entries.append([
            "manager": .string(manager), "operation": "Apply", "apiVersion": .string(type.apiVersion),
            "time": .string(Timestamp.now()), "fieldsType": "FieldsV1", "fieldsV1": encode(applied),
        ])
        object.set(["metadata", "managedFields"], .array(entries))
        return object
    }

    /// Records a non-apply write (create, update, patch) by `manager`: it takes the fields whose values
    /// it changed, and other managers lose them, as with the real server's `Update` operations.
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, apiVersion: String) -> JSONValue {
        let changed = fields(of: new).union(old.map(fields(of:)) ?? []).filter { old?.at($0) != new.at($0) }
        var entries =
            new.at(["metadata", "managedFields"])?.arrayValue ?? old?.at(["metadata", "managedFields"])?.arrayValue
            ?? []
        guard !changed.isEmpty else { return new }
        let present = Set(changed.filter { new.at($0) != nil })
        var mine: Set<FieldPath> = present
        for index in entries.indices.reversed() {
            let entry = entries[index]
            var owned = decode(entry["fieldsV1"])
            if entry["manager"]?.stringValue == manager, entry["operation"]?.stringValue == "Update" {
                mine.formUnion(owned.subtracting(changed))
                entries.remove(at: index)
                continue
            }
            owned.subtract(changed)
            if owned.isEmpty {
                entries.remove(at: index)
            } else {
                entries[index].set(["fieldsV1"], encode(owned))
            }
        }
        if !mine.isEmpty {
            entries.append([
                "manager": .string(manager), "operation": "Update", "apiVersion": .string(apiVersion),
                "time": .string(Timestamp.now()), "fieldsType": "FieldsV1", "fieldsV1": encode(mine),
            ])
        }
        var result = new
        result.set(["metadata", "managedFields"], entries.isEmpty ? .none : .array(entries))
        return result
    }

    /// Objects merge recursively; everything else (scalars, lists) replaces.
    static func merge(_ config: JSONValue, into target: JSONValue) -> JSONValue {
        guard case .object(let members) = config, case .object(var result) = target else { return config }
        for (key, value) in members {
            result[key] = result[key].map { merge(value, into: $0) } ?? value
        }
        return .object(result)
    }
}
