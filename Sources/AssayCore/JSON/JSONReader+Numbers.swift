#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Numbers: a fast path for up to 15 significant digits and exact powers of ten, `strtod` otherwise.
extension JSONReader {
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
        guard p - start <= maxNumberLength else {
            pos = start
            throw fail("number is \(p - start) characters long; the limit is \(maxNumberLength)")
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
}
