import AssayCore
import Foundation

/// A change to send with PATCH, in one of the formats the API server accepts.
public enum KubePatch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch: objects merge, `null` removes, arrays are replaced whole.
    case merge(JSONValue)
    /// RFC 6902 JSON patch; a failing `test` operation rejects the whole patch (422/409), which
    /// makes it a compare-and-swap.
    case json([JSONPatchOperation])
    /// Server-side apply: `object` is the caller's full intent for the fields it manages.
    /// `force` takes over fields owned by other managers instead of failing with 409.
    case apply(JSONValue, fieldManager: String, force: Bool)

    public var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        // JSON is YAML, so the body is written as JSON.
        case .apply: "application/apply-patch+yaml"
        }
    }

    var body: JSONValue {
        switch self {
        case .merge(let value), .apply(let value, _, _): value
        case .json(let operations): .array(operations.map(\.json))
        }
    }

    var query: [(String, String)] {
        guard case .apply(_, let fieldManager, let force) = self else { return [] }
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        return query
    }
}

/// One RFC 6902 operation. Paths are JSON pointers (`/metadata/labels/app`; `~1` for `/`).
public enum JSONPatchOperation: Sendable, Hashable {
    case add(path: String, value: JSONValue)
    case remove(path: String)
    case replace(path: String, value: JSONValue)
    case move(from: String, path: String)
    case copy(from: String, path: String)
    /// Fails the patch unless the value at `path` equals `value`.
    case test(path: String, value: JSONValue)

    var json: JSONValue {
        switch self {
        case .add(let path, let value): ["op": "add", "path": .string(path), "value": value]
        case .remove(let path): ["op": "remove", "path": .string(path)]
        case .replace(let path, let value): ["op": "replace", "path": .string(path), "value": value]
        case .move(let from, let path): ["op": "move", "from": .string(from), "path": .string(path)]
        case .copy(let from, let path): ["op": "copy", "from": .string(from), "path": .string(path)]
        case .test(let path, let value): ["op": "test", "path": .string(path), "value": value]
        }
    }

    /// `segment` escaped for use in a JSON pointer.
    public static func escape(_ segment: String) -> String {
        segment.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
