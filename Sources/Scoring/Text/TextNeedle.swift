/// How a criterion's text relates to the output.
package enum TextRelation: Sendable {
    case equals
    case contains
    case prefix
    case suffix
}

/// A value to look for in outputs, prepared once at decode time.
///
/// Case-sensitive matching compares UTF-8 bytes (see ``UTF8Text``). Case-insensitive matching
/// compares the Unicode lowercase mappings (`String.lowercased()`) of both sides; when the value
/// is ASCII that is done by folding ASCII letters in place, without lowercasing a copy of the
/// output, unless the output contains one of the two scalars that lowercase into ASCII.
package struct TextNeedle: Sendable {
    package let text: String
    package let caseSensitive: Bool
    /// The UTF-8 compared: `text` itself, or its lowercase mapping when case-insensitive.
    package let bytes: [UInt8]
    package let isASCII: Bool

    package init(_ text: String, caseSensitive: Bool) {
        self.text = text
        self.caseSensitive = caseSensitive
        bytes = Array((caseSensitive ? text : text.lowercased()).utf8)
        isASCII = bytes.allSatisfy { $0 < 0x80 }
    }

    package func matches(_ relation: TextRelation, in output: String) -> Bool {
        matches(relation, in: TextHaystack(output, caseSensitive: caseSensitive, asciiNeedles: isASCII))
    }

    /// Whether the needle relates so to an output prepared once for needles of this case
    /// sensitivity (``TextHaystack``).
    package func matches(_ relation: TextRelation, in haystack: TextHaystack) -> Bool {
        switch haystack.form {
        case .asIs(let text): UTF8Text.withBytes(text) { test(relation, in: $0, foldingASCII: false) }
        case .foldingASCII(let text): UTF8Text.withBytes(text) { test(relation, in: $0, foldingASCII: true) }
        }
    }

    private func test(_ relation: TextRelation, in output: UnsafeBufferPointer<UInt8>, foldingASCII: Bool) -> Bool {
        let compare = foldingASCII ? UTF8Text.equalFoldingASCII : UTF8Text.equal
        switch relation {
        case .equals:
            return output.count == bytes.count && compare(bytes, output, 0)
        case .prefix:
            return compare(bytes, output, 0)
        case .suffix:
            return compare(bytes, output, output.count - bytes.count)
        case .contains:
            return foldingASCII
                ? UTF8Text.containsFoldingASCII(bytes, in: output) : UTF8Text.contains(bytes, in: output)
        }
    }
}

/// An output as needles search it: as it is when they are case-sensitive; otherwise folding ASCII
/// letters in place when every needle is ASCII and no scalar of the output lowercases into ASCII,
/// else its lowercase mapping, made once here however many needles then search it.
package struct TextHaystack: Sendable {
    enum Form: Sendable {
        case asIs(String)
        case foldingASCII(String)
    }

    let form: Form
    /// The UTF-8 bytes a needle's search may pass over.
    package let byteCount: Int

    package init(_ output: String, caseSensitive: Bool, asciiNeedles: Bool) {
        if caseSensitive {
            form = .asIs(output)
        } else if asciiNeedles, !UTF8Text.withBytes(output, UTF8Text.hasScalarsLoweringToASCII) {
            form = .foldingASCII(output)
        } else {
            form = .asIs(output.lowercased())
        }
        switch form {
        case .asIs(let text), .foldingASCII(let text): byteCount = text.utf8.count
        }
    }
}
