import AssayCore

/// `regex`: passes when `pattern` (PCRE2 syntax, Unicode-aware) matches anywhere in the output.
///
/// Members: `pattern` (string, required), `caseInsensitive` (default false). Each match does
/// bounded work (``RegexLimits/default``): a pattern that backtracks catastrophically fails the
/// criterion with a reason that says so, instead of stalling the evaluator.
package struct RegexCriterion: Sendable {
    package let regex: BoundedRegex
    /// The pattern as reasons quote it, rendered once rather than at every evaluation.
    package let quotedPattern: String

    package init(_ fields: JSONFields, regexes: RegexCache?) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(["pattern", "caseInsensitive"]))
        let pattern = try fields.required("pattern", fields.string)
        let caseInsensitive = try fields.bool("caseInsensitive") ?? false
        do throws(RegexError) {
            if let regexes {
                regex = try regexes.regex(pattern: pattern, caseInsensitive: caseInsensitive)
            } else {
                regex = try BoundedRegex(pattern: pattern, caseInsensitive: caseInsensitive)
            }
        } catch {
            throw FieldError(path: fields.path("pattern"), message: error.description)
        }
        quotedPattern = Quoting.quote(regex.pattern)
    }

    package func evaluate(_ output: String) -> Verdict {
        verdict(output) { () throws(RegexError) in try regex.byteRange(in: output) }
    }

    /// The verdict with the match's work taken from `budget` (``BoundedRegex/byteRange(in:budget:)``);
    /// `nil`, deciding nothing, when the budget ran out: the caller scores it again with ``evaluate(_:)``.
    package func evaluate(_ output: String, budget: inout WorkBudget) -> Verdict? {
        let verdict = verdict(output) { () throws(RegexError) in try regex.byteRange(in: output, budget: &budget) }
        return budget.isExhausted ? nil : verdict
    }

    private func verdict(_ output: String, _ match: () throws(RegexError) -> Range<Int>?) -> Verdict {
        let pattern = quotedPattern
        do {
            guard let bytes = try match() else { return .fail("no match for pattern \(pattern)") }
            let utf8 = output.utf8
            let lower = utf8.index(utf8.startIndex, offsetBy: bytes.lowerBound)
            let matched = output[lower..<utf8.index(lower, offsetBy: bytes.count)]
            return .pass("pattern \(pattern) matched \(Quoting.excerpt(String(matched)))")
        } catch {
            return .fail("pattern \(pattern) could not be evaluated: \(error.description)")
        }
    }
}
