#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One value of a ``JSONTape``, read in place: valid only inside ``JSONTape/withView(_:)``. Copying
/// a view copies two pointers and an index, nothing is retained.
public struct JSONTapeView {
    let entries: UnsafeBufferPointer<JSONTape.Entry>
    let bytes: UnsafeBufferPointer<UInt8>
    /// This value's entry.
    public let index: Int

    init(entries: UnsafeBufferPointer<JSONTape.Entry>, bytes: UnsafeBufferPointer<UInt8>, index: Int) {
        self.entries = entries
        self.bytes = bytes
        self.index = index
    }

    @inline(__always)
    var entry: JSONTape.Entry { entries[index] }

    public var kind: JSONTape.Kind { entry.kind }

    /// Elements of an array, members of an object, decoded UTF-8 bytes of a string; 0 otherwise.
    public var count: Int {
        switch entry.kind {
        case .array, .object, .string: entry.count
        default: 0
        }
    }

    /// The value of a number entry.
    public var number: Double { Double(bitPattern: UInt64(truncatingIfNeeded: entry.end)) }

    /// The JSON type name, as ``JSONValue/typeName`` gives it.
    public var typeName: String {
        switch entry.kind {
        case .null: "null"
        case .false, .true: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The decoded text of a string entry (decoded now, by ``JSONParser``'s decoder, when it has
    /// escapes).
    public var string: String {
        let entry = self.entry
        if entry.count == entry.end - entry.start {
            return JSONTapeView.makeString(UnsafeBufferPointer(rebasing: bytes[entry.start..<entry.end]))
        }
        var reader = JSONReader(input: bytes, limits: .default, knownValidUTF8: true)
        defer { reader.releaseScratch() }
        reader.pos = entry.start - 1
        // The document was checked when the tape was made, so decoding cannot fail.
        return (try? reader.string()) ?? ""
    }

    /// A String from UTF-8 already known valid.
    static func makeString(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        if #available(macOS 26, *) {
            return String(copying: UTF8Span(unchecked: utf8.span))
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Whether string entries `a` and `b` have the same source text (so the same decoded text).
    func sameSource(_ a: Int, _ b: Int) -> Bool {
        let x = entries[a]
        let y = entries[b]
        return x.end - x.start == y.end - y.start
            && (x.start == x.end
                || memcmp(bytes.baseAddress! + x.start, bytes.baseAddress! + y.start, x.end - x.start) == 0)
    }

    /// Whether string entry `entryIndex` is ASCII without escapes: its text is its source bytes.
    func isPlainASCII(_ entryIndex: Int) -> Bool {
        let entry = entries[entryIndex]
        return entry.count == entry.end - entry.start && bytes[entry.start..<entry.end].allSatisfy { $0 < 0x80 }
    }

    /// The index of the entry after this value and all it holds.
    @inline(__always)
    var next: Int {
        let entry = self.entry
        return entry.kind == .array || entry.kind == .object ? entry.end : index + 1
    }

    /// An array's elements in order.
    public var elements: Elements { Elements(view: self) }

    /// An object's members in document order (each name once: a tape holds no object with a name
    /// twice).
    public var members: Members { Members(view: self) }

    /// The object member named `name`, compared as ``JSONObject`` compares names (`String`'s `==`).
    public func member(_ name: String) -> JSONTapeView? {
        var utf8 = name
        return utf8.withUTF8 { wanted in
            var nameIsASCII: Bool?
            var names = Children(of: self)
            while let key = names.next() {
                let entry = key.entry
                if entry.count == entry.end - entry.start {
                    if entry.count == wanted.count, Self.equal(wanted, bytes.baseAddress! + entry.start) {
                        return at(key.index + 1)
                    }
                    // Differing bytes are a different name unless one is non-ASCII.
                    if nameIsASCII == nil { nameIsASCII = wanted.allSatisfy { $0 < 0x80 } }
                    if nameIsASCII == true, isPlainASCII(key.index) { continue }
                }
                if key.string == name { return at(key.index + 1) }
            }
            return nil
        }
    }

    /// Whether the bytes at `other` begin with `bytes` (names are short: compared in place).
    @inline(__always)
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ other: UnsafePointer<UInt8>) -> Bool {
        for i in 0..<bytes.count where bytes[i] != other[i] { return false }
        return true
    }

    @inline(__always)
    func at(_ index: Int) -> JSONTapeView { JSONTapeView(entries: entries, bytes: bytes, index: index) }

    /// The value as a ``JSONValue`` tree.
    public var value: JSONValue {
        switch entry.kind {
        case .null: .null
        case .false: .bool(false)
        case .true: .bool(true)
        case .number: .number(number)
        case .string: .string(string)
        case .array: .array(elements.map { $0.value })
        case .object:
            .object(JSONObject(members.map { ($0.key, $0.value.value) }))
        }
    }

    public struct Elements: Sequence {
        let view: JSONTapeView

        public func makeIterator() -> Iterator { Iterator(children: Children(of: view)) }

        public struct Iterator: IteratorProtocol {
            var children: Children

            public mutating func next() -> JSONTapeView? { children.next() }
        }
    }

    public struct Members: Sequence {
        let view: JSONTapeView

        public func makeIterator() -> Iterator { Iterator(children: Children(of: view)) }

        public struct Iterator: IteratorProtocol {
            var children: Children

            public mutating func next() -> (key: String, value: JSONTapeView)? {
                children.next().map { key in (key.string, children.view.at(key.index + 1)) }
            }
        }
    }

    /// Steps through a container's children: an array's elements, or an object's names (whose
    /// values follow them).
    struct Children {
        let view: JSONTapeView
        var position: Int
        var left: Int
        let isObject: Bool

        init(of container: JSONTapeView) {
            view = container
            position = container.index + 1
            left = container.entry.count
            isObject = container.entry.kind == .object
        }

        mutating func next() -> JSONTapeView? {
            guard left > 0 else { return nil }
            left -= 1
            let child = view.at(position)
            position = isObject ? view.at(position + 1).next : child.next
            return child
        }
    }
}
