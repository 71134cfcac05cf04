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
/// scratch buffer in the same pass as the scan. UTF-8 is validated once, by the standard
/// library while it builds the `String`; only a rejected string is re-read to locate the
/// bad byte. On a 1 MB escape-heavy body this is about 15 times faster than Foundation's
/// `JSONSerialization` (see JSONPerfTests).
public enum JSONParser {
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        try parse(bytes, limits: limits, knownValidUTF8: false)
    }

    /// With `knownValidUTF8` (the bytes are a Swift `String`'s), strings are made without
    /// validating their UTF-8 again: every string's bytes are then a run of valid UTF-8 cut at
    /// ASCII delimiters plus the UTF-8 of checked escapes, so valid as well.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits, knownValidUTF8: Bool
    ) throws(JSONParseError) -> JSONValue {
        let input = bytes.bindMemory(to: UInt8.self)
        var reader = JSONReader(input: input, maxDepth: limits.maxDepth, knownValidUTF8: knownValidUTF8)
        defer { reader.releaseScratch() }
        return try reader.document()
    }

    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            do throws(JSONParseError) {
                return .success(try parse(raw, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { utf8 in
            do throws(JSONParseError) {
                return .success(try parse(UnsafeRawBufferPointer(utf8), limits: limits, knownValidUTF8: true))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// The parser's cursor over one document.
private struct JSONReader {
    let input: UnsafeBufferPointer<UInt8>
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    /// The input is a Swift string's UTF-8, so strings need no validation (see `parse`).
    let knownValidUTF8: Bool
    var pos = 0
    var depth = 0
    /// Unescaped bytes of the string being read, used only for strings with escapes.
    var scratch: UnsafeMutablePointer<UInt8>?
    var scratchCapacity = 0

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

    init(input: UnsafeBufferPointer<UInt8>, maxDepth: Int, knownValidUTF8: Bool) {
        self.input = input
        self.knownValidUTF8 = knownValidUTF8
        // An empty buffer may have no base address; any valid pointer will do as nothing is read.
        self.base = input.baseAddress ?? UnsafePointer(bitPattern: 0x10)!
        self.end = input.count
        self.maxDepth = maxDepth
    }

    mutating func releaseScratch() {
        scratch?.deallocate()
        scratch = nil
    }

    // MARK: Structure

    mutating func document() throws(JSONParseError) -> JSONValue {
        let value = try self.value()
        skipWhitespace()
        if pos != end {
            throw fail("unexpected \(describe(base[pos])) after the JSON value; a document holds exactly one value")
        }
        return value
    }

    mutating func value() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input, expected a value") }
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
            throw fail("unexpected \(describe(base[pos])), expected a value")
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
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input, expected an object member name") }
            guard base[pos] == UInt8(ascii: "\"") else {
                throw fail("expected a string to begin an object member name, got \(describe(base[pos]))")
            }
            let key = try string()
            skipWhitespace()
            guard pos < end, base[pos] == UInt8(ascii: ":") else {
                throw fail(
                    pos < end ? "expected ':' after object member name" : "unexpected end of input, expected ':'")
            }
            pos += 1
            object[key] = try value()
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input, expected ',' or '}'") }
            if base[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if base[pos] == UInt8(ascii: "}") {
                pos += 1
                depth -= 1
                return .object(object)
            }
            throw fail("expected ',' or '}' after object member")
        }
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
        while true {
            elements.append(try value())
            skipWhitespace()
            guard pos < end else { throw fail("unexpected end of input, expected ',' or ']'") }
            if base[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if base[pos] == UInt8(ascii: "]") {
                pos += 1
                depth -= 1
                return .array(elements)
            }
            throw fail("expected ',' or ']' after array element")
        }
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

    // MARK: Numbers

    /// Powers of ten that a `Double` holds exactly (10^22 is the largest).
    static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Significant digits that always fit a `Double` mantissa exactly (10^15 < 2^53).
    static let maxFastPathDigits = 15

    mutating func number() throws(JSONParseError) -> Double {
        let start = pos
        var p = pos
        let negative = base[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var fractionDigits = 0

        @inline(__always) func isDigit(_ p: Int) -> Bool {
            p < end && base[p] &- UInt8(ascii: "0") < 10
        }
        @inline(__always) func accumulate(_ digit: UInt8) {
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit &- UInt8(ascii: "0"))
                if mantissa != 0 { significantDigits += 1 }
            } else {
                significantDigits += 1
            }
        }

        guard isDigit(p) else {
            pos = p
            throw fail("expected a digit after '-'")
        }
        if base[p] == UInt8(ascii: "0") {
            p += 1
            if isDigit(p) {
                pos = p
                throw fail("numbers must not have leading zeros")
            }
        } else {
            while isDigit(p) {
                accumulate(base[p])
                p += 1
            }
        }
        if p < end, base[p] == UInt8(ascii: ".") {
            p += 1
            guard isDigit(p) else {
                pos = p
                throw fail("expected a digit after the decimal point")
            }
            while isDigit(p) {
                accumulate(base[p])
                fractionDigits += 1
                p += 1
            }
        }
        var exponent = 0
        if p < end, base[p] | 0x20 == UInt8(ascii: "e") {
            p += 1
            var exponentNegative = false
            if p < end, base[p] == UInt8(ascii: "-") || base[p] == UInt8(ascii: "+") {
                exponentNegative = base[p] == UInt8(ascii: "-")
                p += 1
            }
            guard isDigit(p) else {
                pos = p
                throw fail("expected a digit in the exponent")
            }
            while isDigit(p) {
                // Saturate: anything this large is out of range either way.
                if exponent < 100_000 { exponent = exponent * 10 + Int(base[p] &- UInt8(ascii: "0")) }
                p += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        pos = p

        // Exact fast path: an exactly representable mantissa times an exact power of ten is
        // correctly rounded by a single IEEE multiplication or division.
        let scale = exponent - fractionDigits
        if significantDigits <= Self.maxFastPathDigits, scale >= -22, scale <= 22 {
            var value = Double(mantissa)
            if scale < 0 {
                value /= Self.exactPowersOfTen[-scale]
            } else {
                value *= Self.exactPowersOfTen[scale]
            }
            return negative ? -value : value
        }
        let value = Self.convertSlowly(UnsafeBufferPointer(start: base + start, count: p - start))
        guard value.isFinite else {
            pos = start
            throw fail("number is outside the range of a 64-bit floating point value")
        }
        return value
    }

    /// Correctly rounded conversion of a number token that the grammar already accepted.
    static func convertSlowly(_ token: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: token.count + 1) { buffer in
            for i in 0..<token.count { buffer[i] = CChar(bitPattern: token[i]) }
            buffer[token.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    // MARK: Strings

    /// Reads the string whose opening quote is at `pos`.
    mutating func string() throws(JSONParseError) -> String {
        let start = pos + 1
        let p = nextSpecialByte(from: start)
        guard p < end else { throw failAt(pos, "unterminated string") }
        let byte = base[p]
        if byte == UInt8(ascii: "\"") {
            pos = p + 1
            return try makeString(UnsafeBufferPointer(start: base + start, count: p - start), source: start..<p)
        }
        if byte < 0x20 { throw controlCharacter(at: p) }
        return try escapedString(from: start, firstEscape: p)
    }

    /// The rest of a string that has escapes, decoded into the scratch buffer. Scanning and
    /// copying are one pass: each eight-byte word is stored to the output before it is
    /// checked, and the output advances only over the bytes that needed no attention.
    mutating func escapedString(from start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        // Decoding never lengthens text (`\n` is 2 bytes for 1, `\uXXXX` 6 for at most 3),
        // so the source's remaining length bounds the output; 8 more allow a whole-word store.
        let out = scratchBuffer(capacity: end - start + 8)
        let outRaw = UnsafeMutableRawPointer(out)
        let raw = UnsafeRawPointer(base)
        out.update(from: base + start, count: firstEscape - start)
        var o = firstEscape - start
        var p = firstEscape
        while true {
            // `p` is at a byte that needs attention.
            let byte = base[p]
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else { throw controlCharacter(at: p) }
            guard p + 1 < end else { throw failAt(start - 1, "unterminated string") }
            if base[p + 1] == UInt8(ascii: "u") {
                let (scalar, next) = try unicodeEscape(at: p)
                o += Self.encodeUTF8(scalar, into: out + o)
                p = next
            } else {
                out[o] = try shortEscape(at: p)
                o += 1
                p += 2
            }
            // Copy up to the next byte that needs attention.
            while true {
                if p &+ 8 <= end {
                    let word = raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)
                    outRaw.storeBytes(of: word, toByteOffset: o, as: UInt64.self)
                    let hits = Self.attentionMask(UInt64(littleEndian: word))
                    if hits != 0 {
                        let clean = hits.trailingZeroBitCount &>> 3
                        p &+= clean
                        o &+= clean
                        break
                    }
                    p &+= 8
                    o &+= 8
                } else {
                    guard p < end else { throw failAt(start - 1, "unterminated string") }
                    let next = base[p]
                    if next == 0x22 || next == 0x5C || next < 0x20 { break }
                    out[o] = next
                    p &+= 1
                    o &+= 1
                }
            }
        }
        pos = p + 1
        return try makeString(UnsafeBufferPointer(start: out, count: o), source: start..<p)
    }

    /// The byte a two-character escape (`\n`, `\"`, ...) at `p` stands for.
    @inline(__always)
    func shortEscape(at p: Int) throws(JSONParseError) -> UInt8 {
        let byte = shortEscapes[Int(base[p + 1])]
        guard byte == 0 else { return byte }
        throw failAt(
            p,
            "invalid escape '\\\(describeRaw(base[p + 1]))' in string; "
                + "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
    }

    /// The String for decoded string contents. The standard library validates UTF-8 as it
    /// copies (in bulk over ASCII), so the scan leaves non-ASCII bytes alone and only an
    /// invalid string pays for finding the bad byte in `source`.
    func makeString(_ utf8: UnsafeBufferPointer<UInt8>, source: Range<Int>) throws(JSONParseError) -> String {
        if knownValidUTF8, #available(macOS 26, *) {
            return String(copying: UTF8Span(unchecked: utf8.span))
        }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw invalidUTF8(in: source)
        }
        return string
    }

    func controlCharacter(at p: Int) -> JSONParseError {
        failAt(p, "control character \(hex4(UInt32(base[p]))) must be escaped in a string")
    }

    /// The error for the first invalid UTF-8 sequence in a string's source bytes. Escapes
    /// are ASCII, so the invalid bytes are in the source just as in the decoded text.
    func invalidUTF8(in source: Range<Int>) -> JSONParseError {
        var p = source.lowerBound
        while p < source.upperBound {
            if base[p] < 0x80 {
                p += 1
                continue
            }
            do {
                p = try validateUTF8Sequence(at: p, end: source.upperBound)
            } catch {
                return error
            }
        }
        return failAt(source.lowerBound, "invalid UTF-8 in string")
    }

    /// High bit set in each byte of `word` that is `"`, `\` or below 0x20. Borrows can only
    /// add false positives above a true one, so the lowest set bit is exact; `& ~word` drops
    /// non-ASCII bytes, which are never hits.
    @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word))
            & high & ~word
    }

    /// The index of the first byte at or after `from` that is `"`, `\` or below 0x20;
    /// `end` if there is none. Checks eight bytes per step.
    @inline(__always)
    func nextSpecialByte(from start: Int) -> Int {
        var i = start
        let raw = UnsafeRawPointer(base)
        while i &+ 8 <= end {
            let hits = Self.attentionMask(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            if hits != 0 { return i &+ hits.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < end {
            let byte = base[i]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { return i }
            i &+= 1
        }
        return end
    }

    /// Checks the UTF-8 sequence starting at `p` (a byte >= 0x80) per RFC 3629 (no overlong
    /// forms, no surrogates, nothing above U+10FFFF); returns the index after it.
    func validateUTF8Sequence(at p: Int, end: Int) throws(JSONParseError) -> Int {
        let lead = base[p]
        var length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondHigh = 0x9F
        case 0xF0:
            length = 4
            secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondHigh = 0x8F
        default:
            throw failAt(p, "invalid UTF-8: byte \(hex2(lead)) cannot start a character")
        }
        for i in 1..<length {
            guard p + i < end else {
                throw failAt(p + i, "invalid UTF-8: the string ends inside a multi-byte character")
            }
            let byte = base[p + i]
            let low = i == 1 ? secondLow : 0x80
            let high = i == 1 ? secondHigh : 0xBF
            guard byte >= low, byte <= high else {
                throw failAt(p + i, "invalid UTF-8: unexpected byte \(hex2(byte)) in a multi-byte character")
            }
        }
        return p + length
    }

    /// Decodes the `\u` escape (or surrogate pair of escapes) whose backslash is at `p`;
    /// returns the scalar and the index after it.
    func unicodeEscape(at p: Int) throws(JSONParseError) -> (UInt32, Int) {
        let unit = try hexQuad(at: p + 2)
        let next = p + 6
        if unit >= 0xD800, unit < 0xDC00 {
            guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                throw failAt(
                    p,
                    "unpaired surrogate \\u\(hex4Digits(unit)): a high surrogate must be followed by a \\u low surrogate"
                )
            }
            let low = try hexQuad(at: next + 2)
            guard low >= 0xDC00, low < 0xE000 else {
                throw failAt(
                    next, "unpaired surrogate \\u\(hex4Digits(unit)): \\u\(hex4Digits(low)) is not a low surrogate")
            }
            return (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), next + 6)
        }
        if unit >= 0xDC00, unit < 0xE000 {
            throw failAt(p, "unpaired surrogate \\u\(hex4Digits(unit)): a low surrogate must follow a high surrogate")
        }
        return (unit, next)
    }

    /// Writes `scalar` as UTF-8 at `out`; returns the number of bytes (1 to 4).
    @inline(__always)
    static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | (scalar >> 6))
            out[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | (scalar >> 12))
            out[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            out[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            out[0] = UInt8(0xF0 | (scalar >> 18))
            out[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            out[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            out[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }

    /// The four hex digits at `p` as a code unit.
    func hexQuad(at p: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for i in p..<(p + 4) {
            guard i < end else { throw failAt(end, "unterminated string") }
            let byte = base[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failAt(i, "invalid \\u escape: expected 4 hexadecimal digits, got \(describe(byte))")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The scratch buffer, with room for at least `capacity` bytes; its contents are not kept.
    mutating func scratchBuffer(capacity: Int) -> UnsafeMutablePointer<UInt8> {
        if let scratch, capacity <= scratchCapacity { return scratch }
        scratch?.deallocate()
        scratchCapacity = max(capacity, scratchCapacity * 2, Self.initialScratchCapacity)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchCapacity)
        scratch = buffer
        return buffer
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
