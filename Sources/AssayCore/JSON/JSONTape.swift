/// A parsed JSON document kept flat, for reading it once (a model output checked against a JSON
/// Schema): one contiguous array of entries in document order, strings as spans of the source
/// text, no tree of values and no allocation per node.
///
/// Parsing checks exactly what ``JSONParser`` checks, with the same errors (every escape, control
/// character, number, literal and limit), but decodes no string: a string is its source span plus
/// its decoded length, and is decoded (by the parser's own decoder) only when its text is asked
/// for. A container entry holds its member count and the index after its last descendant, so a
/// reader skips a subtree in one step. An object's entries are its members' name and value, in
/// document order.
///
/// Objects of more than ``JSONObject/indexThreshold`` members, or with a member name twice, are
/// what ``JSONObject`` treats specially (a key index; the first position with the last value):
/// a document that holds one is kept as a ``JSONValue`` tree instead (``tree``), so that every
/// reading of it is the tree's. Readers check ``tree`` first.
public struct JSONTape: Sendable {
    /// What an entry is.
    public enum Kind: UInt8, Sendable {
        case null, `false`, `true`, number, string, array, object
    }

    /// One value. Strings: `start..<end` in the source, `count` decoded UTF-8 bytes (`end - start`
    /// when it has no escape). Containers: `count` elements or members, `end` the index of the
    /// entry after the container's last descendant. Numbers: `end` holds the `Double`'s bits.
    public struct Entry: Sendable, Equatable {
        public var kind: Kind
        public var count: Int
        public var start: Int
        public var end: Int
    }

    /// The text the entries' spans point into, and where the document lies in its UTF-8.
    let source: String
    let range: Range<Int>
    let entries: [Entry]
    /// The document as a tree, when it has an object the tape does not represent (see above).
    public let tree: JSONValue?

    /// Parses `text` (or the bytes `utf8Range` of its UTF-8, which must start and end at
    /// character boundaries) with ``JSONParser``'s rules and errors.
    public static func parse(
        _ text: String, utf8Range: Range<Int>? = nil, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONTape {
        var contiguous = text
        let result: Result<JSONTape, JSONParseError> = contiguous.withUTF8 { utf8 in
            let range = utf8Range ?? 0..<utf8.count
            let bytes = UnsafeBufferPointer(rebasing: utf8[range])
            var reader = JSONReader(input: bytes, limits: limits, knownValidUTF8: true)
            defer { reader.releaseScratch() }
            var builder = JSONTapeBuilder()
            do throws(JSONParseError) {
                try reader.tapeDocument(into: &builder)
            } catch {
                return .failure(error)
            }
            if builder.needsTree {
                do throws(JSONParseError) {
                    let tree = try JSONParser.parse(UnsafeRawBufferPointer(bytes), limits: limits, knownValidUTF8: true)
                    return .success(JSONTape(source: "", range: 0..<0, entries: [], tree: tree))
                } catch {
                    return .failure(error)
                }
            }
            return .success(JSONTape(source: text, range: range, entries: builder.entries, tree: nil))
        }
        return try result.get()
    }

    /// Parses `bytes`, which need not be valid UTF-8 (invalid input gets ``JSONParser``'s error).
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONParseError) -> JSONTape {
        let valid = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
        guard valid else {
            // The tree parser checks every string and names the bad byte.
            let tree = try JSONParser.parse(bytes, limits: limits)
            return JSONTape(source: "", range: 0..<0, entries: [], tree: tree)
        }
        return try parse(String(decoding: bytes, as: UTF8.self), limits: limits)
    }

    /// The JSON type name of the root, as ``JSONValue/typeName`` gives it.
    public var typeName: String {
        tree?.typeName ?? withView { $0.typeName }
    }

    /// The document as a ``JSONValue``, equal to what ``JSONParser`` makes of the same text.
    public var value: JSONValue {
        tree ?? withView { $0.value }
    }

    /// Runs `body` with a view of the root, valid only inside (it reads the entries and the
    /// source in place). Only for a tape whose ``tree`` is `nil`.
    public func withView<R>(_ body: (JSONTapeView) -> R) -> R {
        precondition(tree == nil, "a tape that keeps a tree has no entries to view")
        var source = source
        return source.withUTF8 { utf8 in
            entries.withUnsafeBufferPointer { table in
                body(JSONTapeView(entries: table, bytes: UnsafeBufferPointer(rebasing: utf8[range]), index: 0))
            }
        }
    }
}

/// Collects entries while ``JSONReader`` checks a document.
struct JSONTapeBuilder {
    var entries: [Entry] = []
    /// Set when an object has more than ``JSONObject/indexThreshold`` members or a name twice.
    var needsTree = false

    typealias Entry = JSONTape.Entry

    init() {
        entries.reserveCapacity(64)
    }
}
