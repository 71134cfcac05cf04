/// Escaping shared by the XML and HTML reports.
enum ReportEscaping {
    /// Whether XML 1.0 allows `scalar` in a document (tab, newline, carriage return and the
    /// ranges above U+001F, without U+FFFE and U+FFFF).
    static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// `text` with `& < > " '` as entities and characters XML 1.0 forbids removed; safe in
    /// element text and in single- or double-quoted attribute values, in XML and in HTML.
    static func markup(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default:
                if isXMLCharacter(scalar) { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }

    /// Seconds with millisecond precision, as JUnit's `time` attributes expect (`1.234`).
    static func seconds(milliseconds: Double) -> String {
        let value = max(0, Int((milliseconds).rounded()))
        let fraction = String(value % 1000)
        return "\(value / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// A fraction as a percentage with one decimal (`0.5` is `50.0%`).
    static func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return "\(tenths / 10).\(abs(tenths) % 10)%"
    }
}
