/// Serializes a ``JSONValue`` as compact RFC 8259 JSON.
///
/// Strings keep non-ASCII text as UTF-8 and escape only `"`, `\` and control characters
/// (with the short forms `\n`, `\t`, ... where JSON has them); runs that need no escaping are
/// copied in bulk. Numbers that are whole and below 2^53 in magnitude are written without a
/// fraction (`3`, not `3.0`); others use the shortest text that reads back as the same
/// `Double`. Infinities and NaN, which JSON cannot express, are written as `null`.
public enum JSONWriter {
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .number(let d): writeNumber(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        // Most values written are small objects (a criterion, an answer): room for them up front
        // saves the half-dozen regrowths from empty.
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// 2^53: above it not every whole number is a `Double`, so the value is written in the
    /// shortest round-trip form instead of as digits that suggest false precision.
    static let largestExactInteger = 9_007_199_254_740_992.0

    /// A number as ``write(_:into:)`` writes `.number(d)`: for types that write their JSON
    /// straight into a buffer instead of building a ``JSONValue`` first.
    public static func writeNumber(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if d.rounded(.towardZero) == d, abs(d) < largestExactInteger {
            writeInteger(Int64(d), into: &out)
        } else {
            out.append(contentsOf: d.description.utf8)
        }
    }

    static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold any UInt64.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    /// A string as ``write(_:into:)`` writes `.string(s)`, quotes included.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { writeEscaped($0, into: &out) }
        if done == nil {
            let copy = Array(s.utf8)
            copy.withUnsafeBufferPointer { writeEscaped($0, into: &out) }
        }
    }

    static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Grown geometrically: reserveCapacity allocates exactly what it is asked for, so asking
        // for just this string's room on every call copied the whole buffer per string, and a
        // document of a million short strings took minutes instead of milliseconds.
        let needed = out.count + utf8.count + 2
        if needed > out.capacity { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        while true {
            i = nextByteToEscape(utf8, from: i)
            if i > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            guard i < utf8.count else { break }
            let byte = utf8[i]
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            default:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            }
            i += 1
            runStart = i
        }
        out.append(UInt8(ascii: "\""))
    }

    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// The index of the first `"`, `\` or control character at or after `start`, checking
    /// eight bytes per step; `utf8.count` if there is none.
    @inline(__always)
    static func nextByteToEscape(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let end = utf8.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        if let base = UnsafeRawPointer(utf8.baseAddress) {
            while i &+ 8 <= end {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                // Non-ASCII bytes (high bit set) are masked out: they are copied as they are.
                let hits =
                    (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                        | ((word &- ones &* 0x20) & ~word)) & high & ~word
                if hits != 0 { return i &+ hits.trailingZeroBitCount &>> 3 }
                i &+= 8
            }
        }
        while i < end {
            let byte = utf8[i]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { return i }
            i &+= 1
        }
        return end
    }
}
