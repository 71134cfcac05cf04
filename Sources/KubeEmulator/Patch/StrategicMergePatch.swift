import AssayCore

/// Strategic merge patch for built-in resources, driven by the merge keys of the lists kubectl patches
/// (the `patchMergeKey` tags of the Go types) rather than by the full OpenAPI extensions.
///
/// Supported: lists merged by key (`containers`, `env`, `volumes`, `ports`, ...), other lists replaced,
/// primitive lists merged as sets (`finalizers`), `null` deletion, and the directives `$patch`
/// (`replace`, `delete`, `merge`), `$setElementOrder/<list>`, `$retainKeys` and
/// `$deleteFromPrimitiveList/<list>` that kubectl's three-way patches contain.
enum StrategicMergePatch {
    /// Lists merged element by element, with the field that identifies an element. `ports` is keyed by
    /// `containerPort` in containers and by `port` in Services; the element decides.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
        "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
        "conditions": "type", "ownerReferences": "uid", "hostAliases": "ip", "ports": "port",
        "topologySpreadConstraints": "topologyKey", "resourceClaims": "name", "subsets": "addresses",
    ]

    /// Primitive lists merged as sets.
    static let setLists: Set<String> = ["finalizers"]

    static func apply(_ patch: JSONValue, to target: JSONValue?) throws(APIError) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        if patchObject["$patch"]?.stringValue == "replace" {
            var replaced = patchObject
            replaced["$patch"] = nil
            return .object(replaced)
        }
        if patchObject["$patch"]?.stringValue == "delete" { return .object(JSONObject()) }
        var result = target?.objectValue ?? JSONObject()
        var orders: [String: [JSONValue]] = [:]
        var retainKeys: [String]?
        for (key, value) in patchObject {
            if key == "$patch" { continue }
            if key == "$retainKeys" {
                retainKeys = (value.arrayValue ?? []).compactMap(\.stringValue)
                continue
            }
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let list = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if let current = result[list]?.arrayValue {
                    result[list] = .array(current.filter { !removed.contains($0) })
                }
                continue
            }
            if case .null = value {
                result[key] = nil
                continue
            }
            switch value {
            case .object:
                result[key] = try apply(value, to: result[key])
            case .array(let items):
                result[key] = .array(try mergeList(key, patch: items, current: result[key]?.arrayValue))
            default:
                result[key] = value
            }
        }
        for (list, order) in orders {
            guard let items = result[list]?.arrayValue else { continue }
            result[list] = .array(reorder(items, by: order, key: mergeKey(list, items + order)))
        }
        if let retainKeys {
            for key in result.keys where !retainKeys.contains(key) { result[key] = nil }
        }
        return .object(result)
    }

    static func mergeKey(_ list: String, _ elements: [JSONValue]) -> String? {
        guard let key = mergeKeys[list] else { return nil }
        if list == "ports", elements.contains(where: { $0["containerPort"] != nil }) { return "containerPort" }
        return key
    }

    private static func mergeList(_ name: String, patch: [JSONValue], current: [JSONValue]?) throws(APIError)
        -> [JSONValue]
    {
        if setLists.contains(name) {
            var merged = current ?? []
            for item in patch where !merged.contains(item) { merged.append(item) }
            return merged
        }
        guard let key = mergeKey(name, patch + (current ?? [])), patch.allSatisfy({ $0.objectValue != nil }) else {
            return patch.map(stripDirectives)
        }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return patch.filter { $0["$patch"] == nil }.map(stripDirectives)
        }
        var merged = current ?? []
        for element in patch {
            let identity = element[key]
            let index = merged.firstIndex { $0[key] == identity }
            if element["$patch"]?.stringValue == "delete" {
                if let index { merged.remove(at: index) }
                continue
            }
            if let index {
                merged[index] = try apply(element, to: merged[index])
            } else {
                merged.append(try apply(element, to: nil))
            }
        }
        return merged
    }

    private static func reorder(_ items: [JSONValue], by order: [JSONValue], key: String?) -> [JSONValue] {
        guard let key else { return items }
        var ordered: [JSONValue] = []
        var remaining = items
        for entry in order {
            let identity = entry.objectValue != nil ? entry[key] : entry
            if let index = remaining.firstIndex(where: { ($0.objectValue != nil ? $0[key] : $0) == identity }) {
                ordered.append(remaining.remove(at: index))
            }
        }
        return ordered + remaining
    }

    private static func stripDirectives(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object where !key.hasPrefix("$") { out[key] = stripDirectives(member) }
            return .object(out)
        case .array(let items): return .array(items.map(stripDirectives))
        default: return value
        }
    }
}
