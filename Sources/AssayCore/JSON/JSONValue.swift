/// A parsed JSON document.
///
/// The evaluation API, the criteria engine and the JSON Schema validator all work on this
/// one value type: request bodies are parsed once by ``JSONParser`` and then read field by
/// field, which is how an error can name the exact path (`criteria[2].pattern`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Every JSON number. Integers are exact up to 2^53, as in JavaScript and most decoders.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name as JSON Schema spells it (`integer` is reported as `number`).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Member lookup on objects; `nil` for anything else or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

/// A JSON object that keeps its members in document order (so that what we echo back reads
/// like what was sent) with lookup by key.
///
/// Duplicate keys keep the last value, as ECMAScript's `JSON.parse` does.
///
/// Members live in one array in document order. Most objects of real documents are small (a
/// criterion, a section of a model's structured answer: two to eight members), and for them a
/// scan of the array finds a key faster than hashing it, and the object costs one allocation
/// instead of three (keys, hash table, values): a `Dictionary` per object was a sixth of a 1 MB
/// structured-output request's CPU (bench/RESULTS.md). An object of more than ``indexThreshold``
/// members also gets a key index, so that a document of one huge object still parses (and is
/// looked up) in linear time, duplicate keys included.
public struct JSONObject: Sendable, Hashable, Sequence {
    public typealias Member = (key: String, value: JSONValue)

    /// Members in document order, each key once.
    private var members: [Member] = []
    /// Each key's position in `members`, kept once there are more than ``indexThreshold``.
    private var index: [String: Int]?

    /// Members above which an object keeps a key index: below it, comparing a key with each
    /// member's is cheaper than hashing it (measured on the benchmark's bodies; our choice).
    public static let indexThreshold = 12

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The member names in document order.
    public var keys: [String] { members.map(\.key) }

    /// Where `key`'s member is in `members`.
    @inline(__always)
    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let newValue {
                if let found = position(of: key) {
                    members[found].value = newValue
                } else {
                    members.append((key, newValue))
                    if index != nil {
                        index![key] = members.count - 1
                    } else if members.count > Self.indexThreshold {
                        buildIndex()
                    }
                }
            } else if let found = position(of: key) {
                members.remove(at: found)
                index = nil
                if members.count > Self.indexThreshold { buildIndex() }
            }
        }
    }

    private mutating func buildIndex() {
        var built: [String: Int] = [:]
        built.reserveCapacity(members.count * 2)
        for (position, member) in members.enumerated() { built[member.key] = position }
        index = built
    }

    public func makeIterator() -> IndexingIterator<[Member]> {
        members.makeIterator()
    }

    /// Objects are equal when they have the same members, whatever their order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }

    /// Order-independent, as equality is: the members' own hashes combined commutatively.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var own = Hasher()
            own.combine(member.key)
            own.combine(member.value)
            combined ^= own.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
