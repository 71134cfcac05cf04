#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Strings: a word-at-a-time scan for quotes, escapes and control bytes, UTF-8 validation,
/// and escapes decoded into a scratch buffer.
extension JSONReader {
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
}
