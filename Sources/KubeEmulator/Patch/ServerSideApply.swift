import AssayCore

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

    /// `FieldsV1`: field names as `f:<name>`, list elements (`v:`, `k:`) as they are, and a path that
    /// is a member of the set while also having members below it marked `".": {}`.
    static func encode(_ fields: Set<FieldPath>) -> JSONValue {
        func key(_ component: String) -> String {
            component.hasPrefix("v:") || component.hasPrefix("k:") ? component : "f:\(component)"
        }
        var parents: Set<FieldPath> = []
        for path in fields where path.count > 1 {
            for length in 1..<path.count { parents.insert(Array(path.prefix(length))) }
        }
        var root = JSONValue.object(JSONObject())
        for path in fields.sorted(by: { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") }) {
            let keys = path.map(key)
            root.set(parents.contains(path) ? keys + ["."] : keys, .object(JSONObject()))
        }
        return root
    }

    static func decode(_ fieldsV1: JSONValue?) -> Set<FieldPath> {
        var out: Set<FieldPath> = []
        func walk(_ value: JSONValue, _ path: FieldPath) {
            let members = value.objectValue ?? JSONObject()
            if !path.isEmpty, members.isEmpty || members["."] != nil { out.insert(path) }
            for (key, member) in members where key != "." {
                walk(member, path + [key.hasPrefix("f:") ? String(key.dropFirst(2)) : key])
            }
        }
        if let fieldsV1 { walk(fieldsV1, []) }
        return out
    }

    /// Applies `config` for `manager` to `live` (nil: create). Throws 409 with one cause per conflicting
    /// field unless `force`.
    static func apply(
        _ config: JSONValue, to live: JSONValue?, manager: String, force: Bool, type: ResourceType,
        subresource: Subresource? = nil
    ) throws(APIError) -> JSONValue {
        func isMine(_ entry: JSONValue) -> Bool {
            entry["manager"]?.stringValue == manager && entry["operation"] == "Apply"
                && entry["subresource"]?.stringValue == subresource?.rawValue
        }
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
            if isMine(entry) { continue }
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
        if !conflicts.isEmpty { throw conflictError(conflicts, type: type, name: name) }
        let previous = entries.first(where: isMine)
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
        entries.removeAll { isMine($0) || decode($0["fieldsV1"]).isEmpty }
        var entry: JSONValue = [
            "manager": .string(manager), "operation": "Apply", "apiVersion": .string(type.apiVersion),
            "time": .string(Timestamp.now()), "fieldsType": "FieldsV1", "fieldsV1": encode(applied),
        ]
        if let subresource { entry.set(["subresource"], .string(subresource.rawValue)) }
        entries.append(entry)
        object.set(["metadata", "managedFields"], .array(ManagedFields.sorted(entries)))
        return object
    }

    /// The 409 of an apply that conflicts, worded as the API server words it: one conflict on one line,
    /// several grouped by manager (sorted), one path per line.
    static func conflictError(_ conflicts: [APIError.Cause], type: ResourceType, name: String) -> APIError {
        var error = APIError.conflict(type.groupResource, name, message: "")
        if conflicts.count == 1 {
            error.message = "Apply failed with 1 conflict: \(conflicts[0].message): \(conflicts[0].field)"
        } else {
            var byManager: [String: [String]] = [:]
            for conflict in conflicts {
                byManager[String(conflict.message.dropFirst("conflict with ".count)), default: []].append(
                    conflict.field)
            }
            let lines = byManager.keys.sorted().flatMap { manager in
                ["conflicts with \(manager):"] + byManager[manager]!.map { "- \($0)" }
            }
            error.message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        error.causes = conflicts
        return error
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
