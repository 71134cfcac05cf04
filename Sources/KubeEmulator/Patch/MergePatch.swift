import AssayCore

/// JSON Merge Patch (RFC 7386): objects merge member by member, `null` deletes, anything else replaces.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue?) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target?.objectValue ?? JSONObject()
        for (key, value) in members {
            if case .null = value {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key])
            }
        }
        return .object(result)
    }
}
