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
        let pattern = quotedPattern
        do {
            guard let range = try regex.firstMatch(in: output) else {
                return .fail("no match for pattern \(pattern)")
            }
            return .pass("pattern \(pattern) matched \(Quoting.excerpt(String(output[range])))")
        } catch {
            return .fail("pattern \(pattern) could not be evaluated: \(error.description)")
        }
    }
}
