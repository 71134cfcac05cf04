import CSimdJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict RFC 8259 parser for untrusted request bodies.
///
/// Accepts exactly one value with optional whitespace around it: no comments, trailing
/// commas, `NaN`, leading zeros, unescaped control characters, invalid UTF-8 or unpaired
/// surrogate escapes. Nesting is bounded by ``JSONLimits/maxDepth``.
///
/// Strings, the bulk of a typical body (model output), are scanned eight bytes at a time
/// for the few bytes that need attention (`"`, `\`, control characters). A string without
/// escapes becomes a `String` straight from the input; one with escapes is decoded into a
/// scratch buffer 64 bytes at a time (`JSONReader+Escapes`). UTF-8 is validated once for the whole input,
/// by simdjson's SIMD validator (``UTF8Validation``; about 10 GB/s, against about 1 GB/s for the standard
/// library's check of each string on text with many non-ASCII characters), so strings are
/// made without a second check; input that fails it is parsed with every string checked, which
/// locates the bad byte. On a 1 MB escape-heavy body this is about 15 times faster than
/// Foundation's `JSONSerialization` (see JSONPerfTests; bench/json/run.sh against simdjson).
public enum JSONParser {
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        // Invalid input is parsed with every string checked, which finds and locates the bad byte.
        try parse(bytes, limits: limits, knownValidUTF8: UTF8Validation.isValid(bytes))
    }

    /// With `knownValidUTF8` (the bytes are a Swift `String`'s, or passed the SIMD check), strings are made without
    /// validating their UTF-8 again: every string's bytes are then a run of valid UTF-8 cut at
    /// ASCII delimiters plus the UTF-8 of checked escapes, so valid as well.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits, knownValidUTF8: Bool,
        wideBlocks: Int32 = JSONReader.wideBlocksAvailable
    ) throws(JSONParseError) -> JSONValue {
        let input = bytes.bindMemory(to: UInt8.self)
        var reader = JSONReader(
            input: input, limits: limits, knownValidUTF8: knownValidUTF8, wideBlocks: wideBlocks)
        defer { reader.releaseScratch() }
        return try reader.document()
    }

    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONParseError) -> JSONValue {
        try parse(bytes, limits: limits, spanOfMember: nil).value
    }

    /// The levels of the wide block decoder of escapes this CPU has: 0 (off, the Swift decoder
    /// alone), 1 (AVX2), 2 (AVX-512 VBMI2), up to its widest, which the parser uses.
    @_spi(Testing) public static var wideBlockLevels: ClosedRange<Int32> { 0...JSONReader.wideBlocksAvailable }

    /// Parses `bytes` with the wide block decoder of escapes at `wideBlocks` (one of
    /// ``wideBlockLevels``): the tests and the fuzz target check that each level gives the same value
    /// or the same error.
    @_spi(Testing) public static func parse(
        _ bytes: [UInt8], limits: JSONLimits = .default, wideBlocks: Int32
    ) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in
                try parse(raw, limits: limits, knownValidUTF8: UTF8Validation.isValid(raw), wideBlocks: wideBlocks)
            }
        }
        return try result.get()
    }

    /// Parses `bytes`, and says where in them the value of the root object's member `name` lies
    /// (its source text, the same bytes whenever the same value is sent the same way): a key for
    /// caching what is derived from that value without writing it out again. The span is `nil`
    /// when the root is not an object or has no such member; with duplicates, the last one's.
    public static func parse(
        _ bytes: [UInt8], limits: JSONLimits = .default, spanOfMember name: String?
    ) throws(JSONParseError) -> (value: JSONValue, span: Range<Int>?) {
        typealias Parsed = (value: JSONValue, span: Range<Int>?)
        let result: Result<Parsed, JSONParseError> = bytes.withUnsafeBytes { raw in
            let input = raw.bindMemory(to: UInt8.self)
            var reader = JSONReader(
                input: input, limits: limits, knownValidUTF8: UTF8Validation.isValid(raw), spanOfMember: name)
            defer { reader.releaseScratch() }
            do throws(JSONParseError) {
                let value = try reader.document()
                return .success((value, reader.memberSpan))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a string in place: a native `String`'s UTF-8 is read where it is stored (no copy)
    /// and, being valid already, is not validated again.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONParseError) -> JSONValue {
        try parse(text, utf8Range: nil, limits: limits)
    }

    /// Parses the bytes `utf8Range` of `text`'s UTF-8 in place (a code fence's content inside a
    /// model output), which must start and end at character boundaries; error offsets, lines and
    /// columns count from the range's start. `nil` is the whole text.
    public static func parse(
        _ text: String, utf8Range: Range<Int>?, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { utf8 in
            let bytes = utf8Range.map { UnsafeBufferPointer(rebasing: utf8[$0]) } ?? utf8
            do throws(JSONParseError) {
                return .success(try parse(UnsafeRawBufferPointer(bytes), limits: limits, knownValidUTF8: true))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// The parser's cursor over one document.
struct JSONReader {
    let input: UnsafeBufferPointer<UInt8>
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    let maxNumberLength: Int
    /// The input is a Swift string's UTF-8, so strings need no validation (see `parse`).
    let knownValidUTF8: Bool
    /// Plain blocks of strings with escapes go to `assay_json_unescape_blocks` at this level (0: not
    /// at all; `JSONReader+Escapes`).
    let wideBlocks: Int32
    var pos = 0
    var depth = 0
    /// Unescaped bytes of the string being read, used only for strings with escapes.
    var scratch: UnsafeMutablePointer<UInt8>?
    var scratchCapacity = 0
    /// The root object's member whose value's span to record (``JSONParser/parse(_:limits:spanOfMember:)``).
    let spanMember: String?
    var memberSpan: Range<Int>?

    /// The smallest scratch allocation (one memory page); grown by doubling.
    static let initialScratchCapacity = 4096

    /// The byte each two-character escape `\X` stands for, indexed by `X`; 0 where `\X` is not
    /// one (`\u` is decoded apart). A lookup instead of a switch: the escapes of model output
    /// (`\n`, `\"`, `\\`) alternate unpredictably, and a jump table mispredicts on them.
    static let shortEscapeTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        let pairs: [(UInt8, UInt8)] = [
            (UInt8(ascii: "\""), 0x22), (UInt8(ascii: "\\"), 0x5C), (UInt8(ascii: "/"), 0x2F),
            (UInt8(ascii: "n"), 0x0A), (UInt8(ascii: "t"), 0x09), (UInt8(ascii: "r"), 0x0D),
            (UInt8(ascii: "b"), 0x08), (UInt8(ascii: "f"), 0x0C),
        ]
        for (escape, byte) in pairs { table[Int(escape)] = byte }
        return table
    }()
    /// ``shortEscapeTable``, held by the reader so that the hot loop skips the global's access.
    let shortEscapes = JSONReader.shortEscapeTable

    /// The widest level of the wide block decoder this CPU has (AVX-512 VBMI2, AVX2 or none), asked once.
    static let wideBlocksAvailable = Int32(assay_json_unescape_level())

    init(
        input: UnsafeBufferPointer<UInt8>, limits: JSONLimits, knownValidUTF8: Bool, spanOfMember: String? = nil,
        wideBlocks: Int32 = JSONReader.wideBlocksAvailable
    ) {
        self.input = input
        self.knownValidUTF8 = knownValidUTF8
        self.wideBlocks = wideBlocks
        self.spanMember = spanOfMember
        // An empty buffer may have no base address; any valid pointer will do as nothing is read.
        self.base = input.baseAddress ?? UnsafePointer(bitPattern: 0x10)!
        self.end = input.count
        self.maxDepth = limits.maxDepth
        self.maxNumberLength = limits.maxNumberLength
    }

    mutating func releaseScratch() {
        scratch?.deallocate()
        scratch = nil
    }

    // MARK: Structure

    mutating func document() throws(JSONParseError) -> JSONValue {
        let value = try self.value()
        try finishDocument()
        return value
    }

    /// Checks that nothing but whitespace follows the document's value.
    mutating func finishDocument() throws(JSONParseError) {
        skipWhitespace()
        if pos != end {
            throw fail("unexpected \(describe(base[pos])) after the JSON value; a document holds exactly one value")
        }
    }

    func expectedValue() -> JSONParseError {
        pos < end
            ? fail("unexpected \(describe(base[pos])), expected a value")
            : fail("unexpected end of input, expected a value")
    }

    mutating func value() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < end else { throw expectedValue() }
        switch base[pos] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            throw expectedValue()
        }
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw fail("arrays and objects are nested deeper than the limit of \(maxDepth) levels")
        }
    }

    mutating func object() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        pos += 1
        var object = JSONObject()
        skipWhitespace()
        if pos < end, base[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .object(object)
        }
        while true {
            try memberName()
            let key = try string()
            try memberColon()
            if depth == 1, let spanMember, key == spanMember {
                skipWhitespace()
                let start = pos
                object[key] = try value()
                memberSpan = start..<pos
            } else {
                object[key] = try value()
            }
            if try memberEnd() { return .object(object) }
        }
    }

    /// Skips to a member's name, which must begin there.
    @inline(__always)
    mutating func memberName() throws(JSONParseError) {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input, expected an object member name") }
        guard base[pos] == UInt8(ascii: "\"") else {
            throw fail("expected a string to begin an object member name, got \(describe(base[pos]))")
        }
    }

    /// Reads the `:` after a member's name.
    @inline(__always)
    mutating func memberColon() throws(JSONParseError) {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: ":") else {
            throw fail(pos < end ? "expected ':' after object member name" : "unexpected end of input, expected ':'")
        }
        pos += 1
    }

    /// Reads what follows a member's value: `,` (false: another member follows) or `}` (true).
    @inline(__always)
    mutating func memberEnd() throws(JSONParseError) -> Bool {
        try containerGoesOn(closing: UInt8(ascii: "}"), after: "object member")
    }

    /// Reads what follows an array element: `,` (false: another element follows) or `]` (true).
    @inline(__always)
    mutating func elementEnd() throws(JSONParseError) -> Bool {
        try containerGoesOn(closing: UInt8(ascii: "]"), after: "array element")
    }

    @inline(__always)
    private mutating func containerGoesOn(closing: UInt8, after what: StaticString) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input, expected ',' or '\(describeRaw(closing))'") }
        if base[pos] == UInt8(ascii: ",") {
            pos += 1
            return false
        }
        if base[pos] == closing {
            pos += 1
            depth -= 1
            return true
        }
        throw fail("expected ',' or '\(describeRaw(closing))' after \(what)")
    }

    mutating func array() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        pos += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if pos < end, base[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .array(elements)
        }
        repeat {
            elements.append(try value())
        } while try !elementEnd()
        return .array(elements)
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in text {
            guard pos < end else { throw fail("unexpected end of input in literal, expected '\(word)'") }
            guard base[pos] == byte else { throw fail("invalid literal, expected '\(word)'") }
            pos += 1
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            switch base[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    // MARK: Errors

    func fail(_ reason: String) -> JSONParseError { failAt(pos, reason) }

    func failAt(_ offset: Int, _ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: offset, in: input)
    }

    func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(describeRaw(byte))'" : "byte \(hex2(byte))"
    }

    func describeRaw(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : hex2(byte)
    }

    func hex2(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }

    func hex4Digits(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func hex4(_ value: UInt32) -> String { "U+" + hex4Digits(value) }
}
