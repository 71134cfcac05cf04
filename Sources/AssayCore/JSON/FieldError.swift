/// A problem with one field of a JSON or YAML document, named by its path
/// (`criteria[2].pattern`), so that the API's problem+json, the CLI and resource conditions can
/// all tell the user exactly what to fix.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted path with `[i]` for array elements; empty for the document itself.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// `base.key`, or `key` when `base` is the document root.
    public static func join(_ base: String, _ key: String) -> String {
        base.isEmpty ? key : "\(base).\(key)"
    }

    /// `base[index]`.
    public static func join(_ base: String, _ index: Int) -> String { "\(base)[\(index)]" }
}

/// Reads the members of one JSON object by name, turning every type mismatch into a
/// ``FieldError`` that names the member's full path.
///
/// ```swift
/// let fields = try JSONFields(value, at: "criteria[0]")
/// let pattern = try fields.string("pattern")           // required
/// let caseInsensitive = try fields.bool("caseInsensitive") ?? false
/// ```
public struct JSONFields: Sendable {
    public let object: JSONObject
    public let path: String

    public init(_ value: JSONValue, at path: String) throws(FieldError) {
        guard case .object(let object) = value else {
            throw FieldError(path: path, message: "must be an object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    public func path(_ key: String) -> String { FieldError.join(path, key) }

    public func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    /// The raw member, treating an explicit `null` as absent.
    public func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    public func required<T>(_ key: String, _ read: (String) throws(FieldError) -> T?) throws(FieldError) -> T {
        guard let value = try read(key) else { throw FieldError(path: path(key), message: "is required") }
        return value
    }

    public func string(_ key: String) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else { throw mismatch(key, "a string", value) }
        return s
    }

    public func bool(_ key: String) throws(FieldError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let b) = value else { throw mismatch(key, "a boolean", value) }
        return b
    }

    public func number(_ key: String) throws(FieldError) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let d) = value, d.isFinite else { throw mismatch(key, "a number", value) }
        return d
    }

    public func integer(_ key: String) throws(FieldError) -> Int? {
        guard let d = try number(key) else { return nil }
        guard d.rounded() == d, abs(d) < 9.007_199_254_740_992e15 else {
            throw FieldError(path: path(key), message: "must be a whole number, got \(d)")
        }
        return Int(d)
    }

    public func array(_ key: String) throws(FieldError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let a) = value else { throw mismatch(key, "an array", value) }
        return a
    }

    public func strings(_ key: String) throws(FieldError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw FieldError(
                    path: FieldError.join(path(key), i), message: "must be a string, got \(item.typeName)")
            }
            out.append(s)
        }
        return out
    }

    public func objectFields(_ key: String) throws(FieldError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try JSONFields(value, at: path(key))
    }

    /// Rejects members outside `allowed`, so that a typo (`"valeu"`) is an error instead of a
    /// silently ignored field.
    public func rejectUnknown(allowed: Set<String>) throws(FieldError) {
        for (key, _) in object where !allowed.contains(key) {
            throw FieldError(
                path: path(key),
                message: "is not a known field; expected one of: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private func mismatch(_ key: String, _ expected: String, _ got: JSONValue) -> FieldError {
        FieldError(path: path(key), message: "must be \(expected), got \(got.typeName)")
    }
}

extension JSONFields {
    /// Opens `json` as an object whose members must be among `allowed`, for decoders that collect
    /// every problem instead of stopping at the first: on failure the error goes to `errors` and the
    /// result is nil.
    public static func collecting(
        _ json: JSONValue, at path: String, allowed: Set<String>, errors: inout [FieldError]
    ) -> JSONFields? {
        do {
            let fields = try JSONFields(json, at: path)
            try fields.rejectUnknown(allowed: allowed)
            return fields
        } catch {
            errors.append(error)
            return nil
        }
    }
}
