import AssayCore

/// `length`: the output's length must be within `min` and `max` (inclusive).
///
/// Members: `min`, `max` (whole numbers ≥ 0, at least one of them, `min` ≤ `max`), `unit`:
/// `chars` (default) counts characters as a reader sees them, i.e. extended grapheme clusters
/// (Swift `Character`s: `é` written as `e` + U+0301 and `👍🏽` are one each); `words` counts runs of
/// non-whitespace (Unicode `White_Space` separates words).
package struct LengthCriterion: Sendable {
    package enum Unit: String, Sendable, CaseIterable {
        case chars
        case words
    }

    /// Characters, the unit people mean by "at most 280 long".
    package static let defaultUnit = Unit.chars

    package let min: Int?
    package let max: Int?
    package let unit: Unit

    package init(_ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(["min", "max", "unit"]))
        min = try fields.integer("min")
        max = try fields.integer("max")
        let unitName = try fields.string("unit") ?? Self.defaultUnit.rawValue
        guard let unit = Unit(rawValue: unitName) else {
            throw FieldError(
                path: fields.path("unit"),
                message:
                    "must be one of: \(Unit.allCases.map(\.rawValue).joined(separator: ", ")); got \(Quoting.quote(unitName))"
            )
        }
        self.unit = unit
        guard min != nil || max != nil else {
            throw FieldError(path: fields.path, message: "needs at least one of min and max")
        }
        for (key, bound) in [("min", min), ("max", max)] {
            if let bound, bound < 0 {
                throw FieldError(path: fields.path(key), message: "must be at least 0, got \(bound)")
            }
        }
        if let min, let max, min > max {
            throw FieldError(path: fields.path("max"), message: "must be at least min (\(min)), got \(max)")
        }
    }

    package func evaluate(_ output: String) -> Verdict {
        let length = unit == .chars ? Self.characterCount(output) : Self.wordCount(output)
        let noun = unit == .chars ? (length == 1 ? "character" : "characters") : (length == 1 ? "word" : "words")
        let bounds =
            switch (min, max) {
            case (let min?, let max?): min == max ? "exactly \(min)" : "between \(min) and \(max)"
            case (let min?, nil): "at least \(min)"
            case (nil, let max?): "at most \(max)"
            case (nil, nil): "any"
            }
        let within = (min.map { length >= $0 } ?? true) && (max.map { length <= $0 } ?? true)
        return .check(within, "output has \(length) \(noun); expected \(bounds)")
    }

    /// Grapheme clusters. ASCII text needs no segmentation: every byte is one character except
    /// that CR LF is one.
    package static func characterCount(_ text: String) -> Int {
        let ascii: Int? = UTF8Text.withBytes(text) { bytes in
            guard UTF8Text.isASCII(bytes) else { return nil }
            var crlf = 0
            var i = 1
            while i < bytes.count {
                if bytes[i] == 0x0A && bytes[i - 1] == 0x0D { crlf += 1 }
                i += 1
            }
            return bytes.count - crlf
        }
        return ascii ?? text.count
    }

    package static func wordCount(_ text: String) -> Int {
        UTF8Text.withBytes(text) { bytes in
            var words = 0
            var inWord = false
            var i = 0
            while i < bytes.count {
                let space = UTF8Text.whitespaceLength(bytes, at: i)
                if space > 0 {
                    inWord = false
                    i += space
                } else {
                    if !inWord { words += 1 }
                    inWord = true
                    i += 1
                }
            }
            return words
        }
    }
}
