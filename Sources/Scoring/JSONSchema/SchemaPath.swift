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

    /// `~` as `~0` and `/` as `~1`, by Unicode scalar: a `/` followed by a combining mark is one
    /// `Character` with it, which a `Character`-wise replacement would leave unescaped.
    static func escape(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        var out = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            switch scalar {
            case "~": out.append(contentsOf: "~0".unicodeScalars)
            case "/": out.append(contentsOf: "~1".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// `~1` as `/` and `~0` as `~`, by Unicode scalar (see ``escape(_:)``).
    static func unescape(_ token: Substring) -> String {
        guard token.utf8.contains(UInt8(ascii: "~")) else { return String(token) }
        let scalars = Array(token.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "~", i + 1 < scalars.count, scalars[i + 1] == "0" || scalars[i + 1] == "1" {
                out.append(scalars[i + 1] == "1" ? "/" : "~")
                i += 2
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }
}
