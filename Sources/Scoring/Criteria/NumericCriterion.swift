import AssayCore

/// `numeric`: the first number in the output must be within `tolerance` of `value`.
///
/// Members: `value` (number, required), `tolerance` (absolute, at least 0, default 0).
/// See ``NumberScanner`` for what counts as a number.
package struct NumericCriterion: Sendable {
    /// Exact comparison unless the criterion allows slack.
    package static let defaultTolerance = 0.0

    package let value: Double
    package let tolerance: Double

    package init(_ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(["value", "tolerance"]))
        value = try fields.required("value", fields.number)
        tolerance = try fields.number("tolerance") ?? Self.defaultTolerance
        guard tolerance >= 0 else {
            throw FieldError(path: fields.path("tolerance"), message: "must be at least 0, got \(tolerance)")
        }
    }

    package func evaluate(_ output: String) -> Verdict {
        let expected = tolerance == 0 ? format(value) : "\(format(value)) ± \(format(tolerance))"
        guard let found = NumberScanner.firstNumber(in: output) else {
            return .fail("output contains no number; expected \(expected)")
        }
        let within = abs(found - value) <= tolerance
        return .check(within, "found \(format(found)), expected \(expected)")
    }

    private func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// Finds the first number written in a text.
///
/// A number is ASCII digits with an optional sign, decimal point and exponent: `42`, `-3.5`,
/// `.5`, `+2e-3`, `6.02E23`. A sign counts only when it directly precedes the number and does
/// not itself follow a letter or digit, so `COVID-19` yields 19 and `x-1` yields 1; the minus
/// sign U+2212 counts like `-`. Commas are thousands separators only in well-formed groups
/// (`1,234,567.8`): the first group has one to three digits and is not `0`, and every later
/// group has exactly three, so `1,5` is 1 (a list or a decimal comma is not merged into one
/// number). Other digits (`٣`) and spelled-out numbers are not recognised.
package enum NumberScanner {
    package static func firstNumber(in text: String) -> Double? {
        UTF8Text.withBytes(text) { bytes -> Double? in
            var i = 0
            let count = bytes.count
            while i < count {
                let b = bytes[i]
                if isDigit(b) || (b == UInt8(ascii: ".") && i + 1 < count && isDigit(bytes[i + 1])) {
                    return number(in: bytes, at: i)
                }
                i += 1
            }
            return nil
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    private static func isAlphanumericASCII(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 26 }

    /// Reads the number whose first digit (or decimal point) is at `start`.
    private static func number(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Double? {
        let count = bytes.count
        var literal = signBefore(start, in: bytes) ? "-" : ""
        var i = start
        func digits() -> Int {
            let first = i
            while i < count, isDigit(bytes[i]) {
                literal.unicodeScalars.append(Unicode.Scalar(bytes[i]))
                i += 1
            }
            return i - first
        }
        let leading = digits()
        if (1...3).contains(leading), bytes[start] != UInt8(ascii: "0") || leading > 1 {
            // Thousands groups: ",ddd" not followed by a fourth digit.
            while i + 4 <= count, bytes[i] == UInt8(ascii: ","), isDigit(bytes[i + 1]), isDigit(bytes[i + 2]),
                isDigit(bytes[i + 3]), i + 4 == count || !isDigit(bytes[i + 4])
            {
                i += 1
                _ = digits()
            }
        }
        if i + 1 < count, bytes[i] == UInt8(ascii: "."), isDigit(bytes[i + 1]) {
            literal += "."
            i += 1
            _ = digits()
        } else if leading == 0 {
            return nil
        }
        if i + 1 < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            var j = i + 1
            var exponent = "e"
            if bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") {
                exponent.unicodeScalars.append(Unicode.Scalar(bytes[j]))
                j += 1
            }
            if j < count, isDigit(bytes[j]) {
                literal += exponent
                i = j
                _ = digits()
            }
        }
        if leading == 0 { literal = literal.hasPrefix("-") ? "-0" + literal.dropFirst() : "0" + literal }
        return Double(literal)
    }

    /// Whether a minus sign (`-` or U+2212) directly before `start` belongs to the number.
    private static func signBefore(_ start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var signStart: Int
        if start >= 1, bytes[start - 1] == UInt8(ascii: "-") {
            signStart = start - 1
        } else if start >= 3, bytes[start - 3] == 0xE2, bytes[start - 2] == 0x88, bytes[start - 1] == 0x92 {
            signStart = start - 3
        } else {
            return false
        }
        signStart -= 1
        return signStart < 0 || !isAlphanumericASCII(bytes[signStart])
    }
}
