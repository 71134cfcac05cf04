#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading a document into a ``JSONTape``: the grammar, limits and errors of the tree parser's
/// `value()`, `object()` and `array()`, with entries appended instead of values built, and strings
/// checked without being decoded (`skimEscapedString`), by the same escape functions.
extension JSONReader {
    mutating func tapeDocument(into tape: inout JSONTapeBuilder) throws(JSONParseError) {
        try tapeValue(into: &tape)
        try finishDocument()
    }

    mutating func tapeValue(into tape: inout JSONTapeBuilder) throws(JSONParseError) {
        skipWhitespace()
        guard pos < end else { throw expectedValue() }
        switch base[pos] {
        case UInt8(ascii: "\""): try tapeString(into: &tape)
        case UInt8(ascii: "{"): try tapeObject(into: &tape)
        case UInt8(ascii: "["): try tapeArray(into: &tape)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let value = try number()
            tape.entries.append(
                .init(kind: .number, count: 0, start: 0, end: Int(truncatingIfNeeded: value.bitPattern)))
        case UInt8(ascii: "t"):
            try literal("true")
            tape.entries.append(.init(kind: .true, count: 0, start: 0, end: 0))
        case UInt8(ascii: "f"):
            try literal("false")
            tape.entries.append(.init(kind: .false, count: 0, start: 0, end: 0))
        case UInt8(ascii: "n"):
            try literal("null")
            tape.entries.append(.init(kind: .null, count: 0, start: 0, end: 0))
        default:
            throw expectedValue()
        }
    }

    /// Enters the container whose opening bracket is at `pos`; returns its entry's index.
    private mutating func openContainer(_ kind: JSONTape.Kind, into tape: inout JSONTapeBuilder) throws(JSONParseError)
        -> Int
    {
        try enterContainer()
        pos += 1
        tape.entries.append(.init(kind: kind, count: 0, start: 0, end: 0))
        skipWhitespace()
        return tape.entries.count - 1
    }

    mutating func tapeObject(into tape: inout JSONTapeBuilder) throws(JSONParseError) {
        let at = try openContainer(.object, into: &tape)
        if pos < end, base[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            tape.entries[at].end = tape.entries.count
            return
        }
        var count = 0
        while true {
            try memberName()
            let key = tape.entries.count
            try tapeString(into: &tape)
            count += 1
            if count > JSONObject.indexThreshold {
                tape.needsTree = true
            } else if !tape.needsTree, tape.repeatsName(key, ofObjectAt: at, in: input) {
                tape.needsTree = true
            }
            try memberColon()
            try tapeValue(into: &tape)
            if try memberEnd() {
                tape.entries[at].count = count
                tape.entries[at].end = tape.entries.count
                return
            }
        }
    }

    mutating func tapeArray(into tape: inout JSONTapeBuilder) throws(JSONParseError) {
        let at = try openContainer(.array, into: &tape)
        var count = 0
        if pos < end, base[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
        } else {
            repeat {
                try tapeValue(into: &tape)
                count += 1
            } while try !elementEnd()
        }
        tape.entries[at].count = count
        tape.entries[at].end = tape.entries.count
    }

    /// A string whose opening quote is at `pos`, checked as ``string()`` checks it, not decoded.
    mutating func tapeString(into tape: inout JSONTapeBuilder) throws(JSONParseError) {
        let start = pos + 1
        let p = nextSpecialByte(from: start)
        guard p < end else { throw failAt(pos, "unterminated string") }
        if base[p] == UInt8(ascii: "\"") {
            pos = p + 1
            tape.entries.append(.init(kind: .string, count: p - start, start: start, end: p))
            return
        }
        if base[p] < 0x20 { throw controlCharacter(at: p) }
        let (close, length) = try skimEscapedString(from: start, firstEscape: p)
        pos = close + 1
        tape.entries.append(.init(kind: .string, count: length, start: start, end: close))
    }

    /// Checks the rest of a string whose first escape is at `firstEscape` as `escapedString` decodes
    /// it (the same errors, in reading order), without writing the text: returns where its closing
    /// quote is and how many bytes it decodes to. Blocks of 64 bytes are classified at once, and a
    /// two-character escape only counts.
    mutating func skimEscapedString(from start: Int, firstEscape: Int) throws(JSONParseError) -> (Int, Int) {
        // Room for what a `\u` escape decodes to (at most 4 bytes), which is only measured.
        let out = scratchBuffer(capacity: 8)
        let base = self.base
        let raw = UnsafeRawPointer(base)
        let table = shortEscapes
        var shortened = 0  // how many bytes shorter the decoded text is than its source
        var run = firstEscape  // the first input byte not yet consumed
        var block = firstEscape
        // An escape's second byte may lie past its block.
        let lastFastBlock = end - Self.blockSize - 8
        while block <= lastFastBlock {
            var mask = Self.specialMask(raw + block)
            while mask != 0 {
                let special = block &+ mask.trailingZeroBitCount
                let byte = base[special]
                if byte == UInt8(ascii: "\\"), table[Int(base[special &+ 1])] != 0 {
                    shortened &+= 1
                    run = special &+ 2
                    let lowest = mask & (0 &- mask)
                    mask &= ~(lowest | lowest &<< 1)
                    continue
                } else if byte == UInt8(ascii: "\"") {
                    return (special, special - start - shortened)
                }
                var o = 0
                run = try decodeEscape(at: special, stringStart: start, into: out, at: &o)
                shortened += run - special - o
                let consumed = run &- block
                if consumed >= Self.blockSize { break }
                mask &= UInt64.max &<< UInt64(consumed)
            }
            block = max(block &+ Self.blockSize, run)
        }
        var p = block
        while true {
            guard p < end else { throw failAt(start - 1, "unterminated string") }
            let byte = base[p]
            if byte == UInt8(ascii: "\"") { return (p, p - start - shortened) }
            if byte == UInt8(ascii: "\\") || byte < 0x20 {
                var o = 0
                let next = try decodeEscape(at: p, stringStart: start, into: out, at: &o)
                shortened += next - p - o
                p = next
                continue
            }
            p += 1
        }
    }
}

extension JSONTapeBuilder {
    /// Whether the name at entry `key` equals (as `String`s compare, as ``JSONObject`` does) an
    /// earlier member name of the object whose entry is at `object`.
    func repeatsName(_ key: Int, ofObjectAt object: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        entries.withUnsafeBufferPointer { table in
            let view = JSONTapeView(entries: table, bytes: bytes, index: key)
            let plain = view.isPlainASCII(key)
            var name: String?
            var names = JSONTapeView.Children(of: view.at(object))
            // The object's entry counts no member yet, so step by position up to the new name.
            names.left = Int.max
            while names.position < key, let earlier = names.next() {
                if view.sameSource(earlier.index, key) { return true }
                // Different ASCII without escapes is a different name; anything else compares as text.
                if !plain || !view.isPlainASCII(earlier.index) {
                    if name == nil { name = view.string }
                    if earlier.string == name { return true }
                }
            }
            return false
        }
    }
}
