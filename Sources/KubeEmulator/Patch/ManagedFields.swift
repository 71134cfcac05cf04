import AssayCore

/// `metadata.managedFields` for writes that are not server-side apply (`Update` operations), as the
/// API server's field manager keeps them: the writer (the `fieldManager` parameter, else its
/// `User-Agent` up to the first `/`) gains every field its write added or changed, maps included
/// (written `".": {}` in `FieldsV1`), other managers lose those, and everyone loses what it removed.
/// Writes to `/status` are tracked apart (`subresource: status`) and own only status; writes to the
/// main resource of a type with a status subresource never own status. Entries are sorted as the
/// server sorts them: by operation, time, manager.
enum ManagedFields {
    typealias FieldPath = [String]

    /// Metadata the field manager never tracks (its `StripMeta`), and the deletion fields the server sets.
    static let untracked: Set<FieldPath> = Set(
        [["apiVersion"], ["kind"], ["metadata"]]
            + [
                "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
            ].map { ["metadata", $0] })

    /// The manager of a write without a `fieldManager`: the client's `User-Agent` up to its first `/`.
    static func manager(userAgent: String?) -> String {
        String((userAgent ?? "").split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .prefix(128).description
    }

    /// Every node of `value` a field set can name, with its value for leaves (maps and keyed lists are
    /// nodes with children). Lists are atomic, but for `metadata.finalizers` (a set: `v:` elements)
    /// and `metadata.ownerReferences` (a map keyed by uid: `k:` elements).
    static func nodes(of value: JSONValue) -> [FieldPath: JSONValue] {
        var out: [FieldPath: JSONValue] = [:]
        func walk(_ value: JSONValue, _ path: FieldPath) {
            if !path.isEmpty { out[path] = value.objectValue != nil ? .object(JSONObject()) : value }
            if let members = value.objectValue {
                for (key, member) in members { walk(member, path + [key]) }
            } else if path == ["metadata", "finalizers"], let items = value.arrayValue {
                out[path] = .object(JSONObject())
                for item in items { out[path + ["v:" + JSONWriter.string(item)]] = .null }
            } else if path == ["metadata", "ownerReferences"], let items = value.arrayValue {
                out[path] = .object(JSONObject())
                for item in items {
                    walk(item, path + ["k:" + JSONWriter.string(["uid": item["uid"] ?? .null])])
                }
            }
        }
        walk(value, [])
        return out
    }

    /// Records an `Update` by `manager` that turned `old` (nil: a create) into `new`.
    static func recordUpdate(
        old: JSONValue?, new: JSONValue, manager: String, apiVersion: String, subresource: Subresource?,
        hasStatus: Bool
    ) -> JSONValue {
        guard !manager.isEmpty else { return new }
        func inScope(_ path: FieldPath) -> Bool {
            if untracked.contains(path) || (path.count > 2 && untracked.contains(Array(path.prefix(2)))) {
                return false
            }
            if subresource == .status { return path.first == "status" }
            return !(hasStatus && path.first == "status")
        }
        let before = (old.map(nodes(of:)) ?? [:]).filter { inScope($0.key) }
        let after = nodes(of: new).filter { inScope($0.key) }
        let added = Set(after.keys).subtracting(before.keys)
        let removed = Set(before.keys).subtracting(after.keys)
        let modified = Set(after.keys.filter { key in before[key].map { $0 != after[key] } ?? false })
        let changed = added.union(modified)
        var entries =
            new.at(["metadata", "managedFields"])?.arrayValue ?? old?.at(["metadata", "managedFields"])?.arrayValue
            ?? []
        var mine: Set<FieldPath> = []
        for index in entries.indices.reversed() {
            let entry = entries[index]
            var owned = ServerSideApply.decode(entry["fieldsV1"])
            if entry["manager"]?.stringValue == manager, entry["operation"] == "Update",
                entry["subresource"]?.stringValue == subresource?.rawValue
            {
                mine = owned
                entries.remove(at: index)
                continue
            }
            let kept = owned.subtracting(changed).subtracting(removed)
            guard kept != owned else { continue }
            owned = kept
            if owned.isEmpty {
                entries.remove(at: index)
            } else {
                entries[index].set(["fieldsV1"], ServerSideApply.encode(owned))
            }
        }
        mine = mine.subtracting(removed).union(changed)
        if !mine.isEmpty {
            var entry: JSONValue = [
                "manager": .string(manager), "operation": "Update", "apiVersion": .string(apiVersion),
                "time": .string(Timestamp.now()), "fieldsType": "FieldsV1", "fieldsV1": ServerSideApply.encode(mine),
            ]
            if let subresource { entry.set(["subresource"], .string(subresource.rawValue)) }
            entries.append(entry)
        }
        var result = new
        result.set(["metadata", "managedFields"], entries.isEmpty ? .none : .array(sorted(entries)))
        return result
    }

    /// The API server's order: operation (`Apply` before `Update`), time, manager, apiVersion, subresource.
    static func sorted(_ entries: [JSONValue]) -> [JSONValue] {
        func key(_ entry: JSONValue) -> [String] {
            ["operation", "time", "manager", "apiVersion", "subresource"].map { entry[$0]?.stringValue ?? "" }
        }
        return entries.sorted { key($0).lexicographicallyPrecedes(key($1)) }
    }
}
