import AssayCore

/// One step into a JSON document: an object member or an array element.
enum SchemaPathToken: Sendable, Hashable {
    case key(String)
    case index(Int)
}

/// Renderings of a path of ``SchemaPathToken``s.
enum SchemaPath {
    /// RFC 6901 JSON Pointer: `/items/0/a~1b`; `""` for the root.
    static func pointer(_ tokens: some Collection<SchemaPathToken>) -> String {
        var out = ""
        for token in tokens {
            out.append("/")
            switch token {
            case .key(let key): out.append(escape(key))
            case .index(let index): out.append(String(index))
            }
        }
        return out
    }

    /// The dotted form used in schema errors: `properties.age.minimum`, `allOf[1].type`.
    static func dotted(_ tokens: some Collection<SchemaPathToken>) -> String {
        var out = ""
        for token in tokens {
            switch token {
            case .key(let key): out = FieldError.join(out, key)
            case .index(let index): out = FieldError.join(out, index)
            }
        }
        return out
    }

    static func escape(_ key: String) -> String {
        guard key.contains("~") || key.contains("/") else { return key }
        return key.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    static func unescape(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        return String(token).replacing("~1", with: "/").replacing("~0", with: "~")
    }
}
