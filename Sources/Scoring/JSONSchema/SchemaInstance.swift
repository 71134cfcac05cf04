import AssayCore

/// What ``SchemaEvaluator`` reads of an instance: a ``JSONValue`` tree, or a view into a
/// ``JSONTape`` (a model output parsed flat, whose strings are decoded only when a keyword needs
/// their text). One evaluator serves both, specialised for each by the compiler.
protocol SchemaInstance {
    associatedtype Elements: Sequence<Self>
    associatedtype Members: Sequence<(key: String, value: Self)>

    var shape: SchemaInstanceShape { get }
    var typeName: String { get }
    /// A string's text.
    var text: String { get }
    /// A string's length in UTF-8 bytes.
    var utf8Count: Int { get }
    /// An array's elements, in order.
    var elements: Elements { get }
    /// An object's members, in document order, each name once.
    var members: Members { get }
    /// An object's member named `name`.
    func member(_ name: String) -> Self?
    /// The instance as a tree, for `enum`, `const` and `uniqueItems`.
    var jsonValue: JSONValue { get }
}

/// An instance's JSON type, with what keywords read of scalars and containers' sizes.
enum SchemaInstanceShape {
    case null
    case bool
    case number(Double)
    case string
    case array(count: Int)
    case object(count: Int)
}

extension JSONValue: SchemaInstance {
    var shape: SchemaInstanceShape {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number(let d): .number(d)
        case .string: .string
        case .array(let elements): .array(count: elements.count)
        case .object(let object): .object(count: object.count)
        }
    }

    var text: String { stringValue ?? "" }
    var utf8Count: Int { stringValue?.utf8.count ?? 0 }
    var elements: [JSONValue] { arrayValue ?? [] }
    var members: JSONObject { objectValue ?? JSONObject() }
    func member(_ name: String) -> JSONValue? { self[name] }
    var jsonValue: JSONValue { self }
}

extension JSONTapeView: SchemaInstance {
    var shape: SchemaInstanceShape {
        switch kind {
        case .null: .null
        case .false, .true: .bool
        case .number: .number(number)
        case .string: .string
        case .array: .array(count: count)
        case .object: .object(count: count)
        }
    }

    var text: String { string }
    var utf8Count: Int { count }
    var jsonValue: JSONValue { value }
}
