import AssayCore

/// Reads the keywords of one schema object, turning a value of the wrong type into a
/// ``JSONSchemaError`` that names the keyword's path in the schema.
struct SchemaKeywordReader {
    let object: JSONObject
    let location: [SchemaPathToken]

    func path(_ keyword: String) -> String { SchemaPath.dotted(location + [.key(keyword)]) }

    func error(_ keyword: String, _ message: String) -> JSONSchemaError {
        JSONSchemaError(path: path(keyword), message: message)
    }

    private func mismatch(_ keyword: String, _ expected: String, _ got: JSONValue) -> JSONSchemaError {
        error(keyword, "must be \(expected), got \(got.typeName)")
    }

    func requireString(_ keyword: String) throws(JSONSchemaError) {
        _ = try string(keyword)
    }

    func string(_ keyword: String) throws(JSONSchemaError) -> String? {
        guard let value = object[keyword] else { return nil }
        guard case .string(let s) = value else { throw mismatch(keyword, "a string", value) }
        return s
    }

    func bool(_ keyword: String) throws(JSONSchemaError) -> Bool? {
        guard let value = object[keyword] else { return nil }
        guard case .bool(let b) = value else { throw mismatch(keyword, "a boolean", value) }
        return b
    }

    func number(_ keyword: String) throws(JSONSchemaError) -> Double? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let d) = value else { throw mismatch(keyword, "a number", value) }
        return d
    }

    /// A non-negative integer, as `minLength`, `maxItems` and the like take.
    func count(_ keyword: String) throws(JSONSchemaError) -> Int? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let d) = value, d >= 0, d.rounded() == d else {
            throw mismatch(keyword, "a non-negative integer", value)
        }
        return d < Double(Int.max) ? Int(d) : Int.max
    }

    func array(_ keyword: String) throws(JSONSchemaError) -> [JSONValue]? {
        guard let value = object[keyword] else { return nil }
        guard case .array(let a) = value else { throw mismatch(keyword, "an array", value) }
        return a
    }

    func object(_ keyword: String) throws(JSONSchemaError) -> JSONObject? {
        guard let value = object[keyword] else { return nil }
        guard case .object(let o) = value else { throw mismatch(keyword, "an object", value) }
        return o
    }

    func strings(_ keyword: String) throws(JSONSchemaError) -> [String]? {
        guard let value = object[keyword] else { return nil }
        return try strings(in: value, at: [keyword])
    }

    /// An array of strings at `keys` below this schema object.
    func strings(in value: JSONValue, at keys: [String]) throws(JSONSchemaError) -> [String] {
        let path = SchemaPath.dotted(location + keys.map { .key($0) })
        guard case .array(let elements) = value else {
            throw JSONSchemaError(path: path, message: "must be an array of strings, got \(value.typeName)")
        }
        var out: [String] = []
        for (i, element) in elements.enumerated() {
            guard case .string(let s) = element else {
                throw JSONSchemaError(
                    path: FieldError.join(path, i), message: "must be a string, got \(element.typeName)")
            }
            out.append(s)
        }
        return out
    }

    func types() throws(JSONSchemaError) -> SchemaTypes? {
        guard let value = object["type"] else { return nil }
        func named(_ element: JSONValue, _ path: String) throws(JSONSchemaError) -> SchemaTypes {
            guard case .string(let name) = element, let type = SchemaTypes.byName[name] else {
                let got = element.stringValue.map { "'\($0)'" } ?? element.typeName
                throw JSONSchemaError(
                    path: path,
                    message: "must be a type name (array, boolean, integer, null, number, object or string), got \(got)"
                )
            }
            return type
        }
        switch value {
        case .array(let elements):
            var types: SchemaTypes = []
            for (i, element) in elements.enumerated() {
                types.formUnion(try named(element, FieldError.join(path("type"), i)))
            }
            return types
        default:
            return try named(value, path("type"))
        }
    }

    func pattern(_ source: String, at path: String) throws(JSONSchemaError) -> SchemaPattern {
        do {
            return try SchemaPattern(source)
        } catch {
            throw JSONSchemaError(path: path, message: error.message)
        }
    }
}
