#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Strings: a word-at-a-time scan for the first quote, escape or control byte, a string
/// without escapes made straight from the input, and UTF-8 validation (escapes are decoded in
/// `JSONReader+Escapes`).
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
}
