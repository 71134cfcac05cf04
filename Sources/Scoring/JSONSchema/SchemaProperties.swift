/// The subschemas of a `properties` keyword by member name: a list searched in order while it is
/// short (a schema's objects name a handful of properties, and comparing a name with a few is
/// cheaper than hashing it once per member of every object validated), a hash index above
/// ``indexThreshold`` names. Names compare as `String`s do, as a `Dictionary`'s keys would.
struct SchemaProperties: Sendable {
    private var entries: [(name: String, schema: Int)] = []
    private var index: [String: Int]?

    /// Names above which lookups hash (the same trade as `JSONObject.indexThreshold`, our choice).
    static let indexThreshold = 8

    var isEmpty: Bool { entries.isEmpty }

    subscript(name: String) -> Int? {
        get {
            if let index { return index[name] }
            for entry in entries where entry.name == name { return entry.schema }
            return nil
        }
        set {
            // Only the compiler adds names, each once (they are an object's member names).
            guard let newValue else { return }
            entries.append((name, newValue))
            if index != nil {
                index?[name] = newValue
            } else if entries.count > Self.indexThreshold {
                index = Dictionary(entries.map { ($0.name, $0.schema) }, uniquingKeysWith: { $1 })
            }
        }
    }
}
