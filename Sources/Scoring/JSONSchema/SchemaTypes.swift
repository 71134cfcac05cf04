import AssayCore

/// The JSON types a `type` keyword allows.
struct SchemaTypes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let object = SchemaTypes(rawValue: 1 << 2)
    static let array = SchemaTypes(rawValue: 1 << 3)
    static let number = SchemaTypes(rawValue: 1 << 4)
    static let string = SchemaTypes(rawValue: 1 << 5)
    /// A number with no fractional part (`1` and `1.0` alike).
    static let integer = SchemaTypes(rawValue: 1 << 6)

    static let byName: [String: SchemaTypes] = [
        "null": .null, "boolean": .boolean, "object": .object, "array": .array, "number": .number,
        "string": .string, "integer": .integer,
    ]

    func admits(_ shape: SchemaInstanceShape) -> Bool {
        switch shape {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .object: contains(.object)
        case .array: contains(.array)
        case .string: contains(.string)
        case .number(let d): contains(.number) || (contains(.integer) && d.isFinite && d.rounded() == d)
        }
    }

    /// `integer`, or `[string, null]` for several, as the schema would spell it.
    var names: String {
        let names = ["null", "boolean", "object", "array", "number", "string", "integer"].filter {
            contains(Self.byName[$0]!)
        }
        return names.count == 1 ? names[0] : "[" + names.joined(separator: ", ") + "]"
    }
}
