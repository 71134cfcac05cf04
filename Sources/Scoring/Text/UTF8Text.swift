#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte-level text operations on the UTF-8 of Swift strings, for criteria that must handle
/// megabyte outputs at thousands of requests per second.
///
/// Substring search on valid UTF-8 bytes finds exactly the occurrences of the needle's Unicode
/// scalar sequence (UTF-8 is self-synchronising), so these functions compare scalars, not
/// grapheme clusters, and do not apply canonical equivalence: `é` precomposed (U+00E9) does not
/// match `e` + U+0301, and a needle `e` is found inside `e` + U+0301.
package enum UTF8Text {
    /// Runs `body` on the string's UTF-8 without copying it when it is stored contiguously (as
    /// parsed request strings are).
    package static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Whether `needle` occurs in `haystack` (an empty needle occurs everywhere).
    package static func contains(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        find(needle, in: haystack, folding: false)
    }

    /// ASCII-folded search: `needle` must already be lowercase; `A`–`Z` in `haystack` compare as
    /// `a`–`z`, every other byte as itself.
    package static func containsFoldingASCII(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        find(needle, in: haystack, folding: true)
    }

    /// Candidate positions are found with `memchr` on the needle's first byte and checked in
    /// place, which is fastest on real text. Pathological inputs (`aaa…ab` in `aaa…a`) would make
    /// that quadratic, so once the checks have compared more bytes than the haystack holds, the
    /// search continues with Knuth–Morris–Pratt, which is linear.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, folding: Bool) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count, let base = haystack.baseAddress else { return false }
        let first = needle[0]
        let foldFirst = folding && isLowerASCIILetter(first)
        let lastStart = haystack.count - needle.count
        var budget = haystack.count
        var i = 0
        while i <= lastStart {
            var position = i
            if foldFirst {
                while position <= lastStart, haystack[position] | 0x20 != first { position += 1 }
                if position > lastStart { return false }
            } else {
                guard let hit = memchr(base + i, Int32(first), lastStart - i + 1) else { return false }
                position = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            }
            if folding ? equalFoldingASCII(needle, haystack, at: position) : equal(needle, haystack, at: position) {
                return true
            }
            budget -= needle.count
            i = position + 1
            if budget < 0 { return knuthMorrisPratt(needle, haystack, from: i, folding: folding) }
        }
        return false
    }

    /// Linear-time search from `start`.
    private static func knuthMorrisPratt(
        _ needle: [UInt8], _ haystack: UnsafeBufferPointer<UInt8>, from start: Int, folding: Bool
    ) -> Bool {
        // failure[k]: length of the longest proper border of needle[0...k].
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for q in 1..<max(1, needle.count) {
            while k > 0 && needle[q] != needle[k] { k = failure[k - 1] }
            if needle[q] == needle[k] { k += 1 }
            failure[q] = k
        }
        var matched = 0
        var i = start
        while i < haystack.count {
            let b = folding ? foldASCII(haystack[i]) : haystack[i]
            while matched > 0 && b != needle[matched] { matched = failure[matched - 1] }
            if b == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
            i += 1
        }
        return false
    }

    /// Whether `haystack[offset...]` begins with `needle` (lowercase), folding ASCII letters.
    package static func equalFoldingASCII(_ needle: [UInt8], _ haystack: UnsafeBufferPointer<UInt8>, at offset: Int)
        -> Bool
    {
        guard offset >= 0, offset + needle.count <= haystack.count else { return false }
        for j in 0..<needle.count where foldASCII(haystack[offset + j]) != needle[j] { return false }
        return true
    }

    /// Whether `haystack[offset...]` begins with `needle`, byte for byte.
    package static func equal(_ needle: [UInt8], _ haystack: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset >= 0, offset + needle.count <= haystack.count else { return false }
        guard !needle.isEmpty else { return true }
        return needle.withUnsafeBufferPointer { n in
            memcmp(haystack.baseAddress! + offset, n.baseAddress!, n.count) == 0
        }
    }

    package static func foldASCII(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
    package static func isLowerASCIILetter(_ byte: UInt8) -> Bool { byte &- 0x61 < 26 }

    package static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let count = bytes.count
        // Eight bytes at a time: any byte with its high bit set makes the word non-ASCII.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= count {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
        }
        while i < count {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// The two scalars whose lowercase mapping contains ASCII letters: KELVIN SIGN (U+212A, to
    /// `k`) and LATIN CAPITAL LETTER I WITH DOT ABOVE (U+0130, to `i` + U+0307). Text without them
    /// lowercases to ASCII only where it was ASCII, which is what makes ASCII folding exact.
    private static let scalarsLoweringToASCII: [[UInt8]] = [[0xE2, 0x84, 0xAA], [0xC4, 0xB0]]

    package static func hasScalarsLoweringToASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        scalarsLoweringToASCII.contains { contains($0, in: bytes) }
    }

    // MARK: Whitespace

    /// The byte length of the Unicode `White_Space` scalar starting at `i`, or 0.
    package static func whitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = bytes[i]
        if b < 0x80 { return b == 0x20 || (b >= 0x09 && b <= 0x0D) ? 1 : 0 }
        let count = bytes.count
        switch b {
        case 0xC2:  // U+0085 NEXT LINE, U+00A0 NO-BREAK SPACE
            return i + 1 < count && (bytes[i + 1] == 0x85 || bytes[i + 1] == 0xA0) ? 2 : 0
        case 0xE1:  // U+1680 OGHAM SPACE MARK
            return i + 2 < count && bytes[i + 1] == 0x9A && bytes[i + 2] == 0x80 ? 3 : 0
        case 0xE2:
            guard i + 2 < count else { return 0 }
            let (b1, b2) = (bytes[i + 1], bytes[i + 2])
            // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F
            if b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF) { return 3 }
            return b1 == 0x81 && b2 == 0x9F ? 3 : 0
        case 0xE3:  // U+3000 IDEOGRAPHIC SPACE
            return i + 2 < count && bytes[i + 1] == 0x80 && bytes[i + 2] == 0x80 ? 3 : 0
        default:
            return 0
        }
    }

    /// The byte length of the `White_Space` scalar that ends just before `end`, or 0.
    package static func whitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Int {
        for length in 1...3 where end - length >= 0 && bytes[end - length] & 0xC0 != 0x80 {
            return whitespaceLength(bytes, at: end - length) == length ? length : 0
        }
        return 0
    }

    /// `text` without leading and trailing whitespace; with `collapse`, every inner run of
    /// whitespace also becomes one space (U+0020).
    package static func normalizingWhitespace(_ text: String, collapse: Bool) -> String {
        withBytes(text) { bytes in
            var start = 0
            var end = bytes.count
            while start < end {
                let length = whitespaceLength(bytes, at: start)
                if length == 0 { break }
                start += length
            }
            while end > start {
                let length = whitespaceLength(bytes, endingAt: end)
                if length == 0 { break }
                end -= length
            }
            guard collapse else {
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
            var out: [UInt8] = []
            out.reserveCapacity(end - start)
            var i = start
            var inRun = false
            while i < end {
                let length = whitespaceLength(bytes, at: i)
                if length > 0 {
                    if !inRun { out.append(0x20) }
                    inRun = true
                    i += length
                } else {
                    out.append(bytes[i])
                    inRun = false
                    i += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
