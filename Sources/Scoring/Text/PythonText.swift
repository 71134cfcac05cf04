/// The few Python `str` and `re` behaviours that the reference implementations of the
/// similarity metrics depend on, reproduced on Unicode scalars (Python strings are sequences of
/// code points), so that our scores equal theirs on any text.
package enum PythonText {
    /// `str.isspace()`: the code points Python splits on in `str.split()`.
    package static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default:
            false
        }
    }

    /// A word character for `\w` and `\b` in a `str` pattern: `str.isalnum()` or `_`.
    package static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (v | 0x20) &- 0x61 < 26 || v &- 0x30 < 10 || v == 0x5F
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return scalar.properties.numericType != nil
        }
    }

    /// `str.lower()`: full lowercase mappings, with Greek capital sigma becoming final sigma (ς)
    /// at the end of a word, as Python does.
    package static func lowercased(_ text: String) -> [Unicode.Scalar] {
        let scalars = Array(text.unicodeScalars)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for (i, scalar) in scalars.enumerated() {
            if scalar.isASCII {
                let v = scalar.value
                out.append(v &- 0x41 < 26 ? Unicode.Scalar(UInt8(v | 0x20)) : scalar)
            } else if scalar.value == 0x03A3 {
                out.append(isFinalSigma(scalars, at: i) ? "\u{03C2}" : "\u{03C3}")
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// Unicode's Final_Sigma condition: a cased letter before (skipping case-ignorable ones)
    /// and none after.
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        func casedNeighbour(_ range: some Sequence<Int>) -> Bool {
            for j in range {
                let properties = scalars[j].properties
                if properties.isCaseIgnorable { continue }
                return properties.isCased
            }
            return false
        }
        return casedNeighbour((0..<index).reversed()) && !casedNeighbour((index + 1)..<scalars.count)
    }

    /// `str.split()` with no separator: runs of non-space, as strings.
    package static func split(_ scalars: [Unicode.Scalar]) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in scalars {
            if isSpace(scalar) {
                if !current.isEmpty { tokens.append(String(current)) }
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }
}
