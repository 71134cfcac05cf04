import AssayCore

/// `equals`, `contains`, `notContains`, `startsWith`, `endsWith`: the output against one value.
///
/// Members: `value` (string, required), `caseSensitive` (default true); `equals` also takes
/// `trimWhitespace` (default false: ignore leading and trailing whitespace) and
/// `normalizeWhitespace` (default false: also treat every run of whitespace as one space).
/// Whitespace is Unicode `White_Space`. Matching is on Unicode scalars (see ``UTF8Text``); an
/// empty value is found in, and is a prefix and suffix of, every output.
package struct TextCriterion: Sendable {
    package let type: CriterionType
    package let needle: TextNeedle
    package let whitespace: WhitespaceHandling
    /// The value as reasons quote it, rendered once rather than at every evaluation.
    package let quotedValue: String

    package enum WhitespaceHandling: Sendable {
        case exact
        case trim
        case normalize
    }

    package init(_ type: CriterionType, _ fields: JSONFields) throws(FieldError) {
        var allowed = Criterion.commonFields.union(["value", "caseSensitive"])
        if type == .equals { allowed.formUnion(["trimWhitespace", "normalizeWhitespace"]) }
        try fields.rejectUnknown(allowed: allowed)
        self.type = type
        let caseSensitive = try fields.bool("caseSensitive") ?? true
        let trim = try fields.bool("trimWhitespace") ?? false
        let normalize = try fields.bool("normalizeWhitespace") ?? false
        whitespace = normalize ? .normalize : trim ? .trim : .exact
        let value = try fields.required("value", fields.string)
        needle = TextNeedle(Self.prepare(value, whitespace), caseSensitive: caseSensitive)
        quotedValue = Quoting.quote(needle.text)
    }

    private static func prepare(_ text: String, _ whitespace: WhitespaceHandling) -> String {
        switch whitespace {
        case .exact: text
        case .trim: UTF8Text.normalizingWhitespace(text, collapse: false)
        case .normalize: UTF8Text.normalizingWhitespace(text, collapse: true)
        }
    }

    package func evaluate(_ output: String) -> Verdict {
        let value = quotedValue
        let qualifier = needle.caseSensitive ? "" : " (ignoring case)"
        switch type {
        case .equals:
            if needle.matches(.equals, in: Self.prepare(output, whitespace)) {
                return .pass("output equals \(value)\(qualifier)")
            }
            return .fail("output does not equal \(value)\(qualifier); it begins \(Quoting.excerpt(output))")
        case .contains:
            return needle.matches(.contains, in: output)
                ? .pass("output contains \(value)\(qualifier)") : .fail("output does not contain \(value)\(qualifier)")
        case .notContains:
            return needle.matches(.contains, in: output)
                ? .fail("output contains \(value)\(qualifier)") : .pass("output does not contain \(value)\(qualifier)")
        case .startsWith:
            if needle.matches(.prefix, in: output) { return .pass("output starts with \(value)\(qualifier)") }
            return .fail("output does not start with \(value)\(qualifier); it begins \(Quoting.excerpt(output))")
        case .endsWith:
            if needle.matches(.suffix, in: output) { return .pass("output ends with \(value)\(qualifier)") }
            return .fail("output does not end with \(value)\(qualifier)")
        default:
            preconditionFailure("TextCriterion does not handle \(type)")
        }
    }
}
