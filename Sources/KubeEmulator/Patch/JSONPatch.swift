import AssayCore

/// JSON Patch (RFC 6902) with JSON Pointers (RFC 6901): add, remove, replace, move, copy, test.
enum JSONPatch {
    static func apply(_ patch: JSONValue, to document: JSONValue) throws(APIError) -> JSONValue {
        guard let operations = patch.arrayValue else {
            throw .badRequest("json patch must be an array of operations")
        }
        var document = document
        for operation in operations {
            let op = operation["op"]?.stringValue ?? ""
            guard let path = operation["path"]?.stringValue else {
                throw .unprocessable("missing path in json patch operation \(op)")
            }
            let pointer = try tokens(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw .unprocessable("missing value for add") }
                document = try add(value, at: pointer, in: document)
            case "remove": document = try remove(at: pointer, in: document).document
            case "replace":
                guard let value = operation["value"] else { throw .unprocessable("missing value for replace") }
                document = try add(value, at: pointer, in: try remove(at: pointer, in: document).document)
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw .unprocessable("missing from for \(op)") }
                let source = try tokens(from)
                let value: JSONValue
                if op == "move" {
                    let removed = try remove(at: source, in: document)
                    document = removed.document
                    value = removed.value
                } else {
                    value = try get(source, in: document)
                }
                document = try add(value, at: pointer, in: document)
            case "test":
                let actual = try get(pointer, in: document)
                guard actual == operation["value"] else {
                    throw .unprocessable("testing value \(path) failed")
                }
            default: throw .unprocessable("Unexpected kind: \(op)")
            }
        }
        return document
    }

    static func tokens(_ pointer: String) throws(APIError) -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw .unprocessable("invalid JSON pointer \"\(pointer)\"") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")
        }
    }

    static func get(_ pointer: [String], in document: JSONValue) throws(APIError) -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let o):
                guard let next = o[token] else {
                    throw .unprocessable("doc is missing path: /\(pointer.joined(separator: "/"))")
                }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else {
                    throw .unprocessable("index out of range: \(token)")
                }
                current = a[i]
            default: throw .unprocessable("doc is missing path: /\(pointer.joined(separator: "/"))")
            }
        }
        return current
    }

    static func add(_ value: JSONValue, at pointer: [String], in document: JSONValue) throws(APIError) -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var o):
            if rest.isEmpty {
                o[token] = value
            } else {
                guard let child = o[token] else { throw .unprocessable("doc is missing path: \(token)") }
                o[token] = try add(value, at: rest, in: child)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if token == "-" {
                    a.append(value)
                } else {
                    guard let i = Int(token), i >= 0, i <= a.count else {
                        throw .unprocessable("index out of range: \(token)")
                    }
                    a.insert(value, at: i)
                }
            } else {
                guard let i = Int(token), a.indices.contains(i) else {
                    throw .unprocessable("index out of range: \(token)")
                }
                a[i] = try add(value, at: rest, in: a[i])
            }
            return .array(a)
        default: throw .unprocessable("doc is missing path: \(token)")
        }
    }

    static func remove(at pointer: [String], in document: JSONValue) throws(APIError) -> (
        document: JSONValue, value: JSONValue
    ) {
        guard let token = pointer.first else { throw .unprocessable("cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var o):
            guard let child = o[token] else {
                throw .unprocessable("Unable to remove nonexistent key: \(token): missing value")
            }
            if rest.isEmpty {
                o[token] = nil
                return (.object(o), child)
            }
            let inner = try remove(at: rest, in: child)
            o[token] = inner.document
            return (.object(o), inner.value)
        case .array(var a):
            guard let i = Int(token), a.indices.contains(i) else {
                throw .unprocessable("index out of range: \(token)")
            }
            if rest.isEmpty {
                let removed = a.remove(at: i)
                return (.array(a), removed)
            }
            let inner = try remove(at: rest, in: a[i])
            a[i] = inner.document
            return (.array(a), inner.value)
        default: throw .unprocessable("doc is missing path: \(token)")
        }
    }
}

extension APIError {
    /// 422 for a patch that cannot be applied, as the API server reports it.
    /// A patch that does not apply. The API server answers with a generic 422 that does not say why, and
    /// so does the emulator; `detail` names the failure at the call site.
    static func unprocessable(_ detail: String) -> APIError {
        _ = detail
        return APIError(
            code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
    }
}

extension Substring {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        String(self).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
