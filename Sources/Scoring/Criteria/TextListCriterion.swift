import AssayCore

/// `containsAll` and `containsAny`: the output against several values.
///
/// Members: `values` (non-empty array of strings, required), `caseSensitive` (default true).
/// Matching is as for `contains` (``TextCriterion``), with the output lowercased at most once
/// for all values. The work is the values times the output (an 8 MiB body holds a 1 MiB output
/// and 1.7 million one-letter values), so it runs on a
/// ``WorkBudget`` of ``maxSteps``: past it, or once the request is cancelled, the criterion fails
/// with the limit or the reason instead of holding a core.
package struct TextListCriterion: Sendable {
    /// One step per output byte a value's search may pass over (the search is linear: memchr,
    /// then Knuth–Morris–Pratt), plus the output's bytes once when case is ignored. 64 MiB:
    /// 64 values in a 1 MiB output, or a thousand in 64 KiB; about a third of a second of one
    /// core at worst, parsing included (bench/hostile, "valuelist"), the order of jsonSchema's
    /// budget. (Our choice.)
    package static let maxSteps = 64 * 1024 * 1024

    package let requireAll: Bool
    package let needles: [TextNeedle]
    private let asciiNeedles: Bool

    package init(_ type: CriterionType, _ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(["values", "caseSensitive"]))
        requireAll = type == .containsAll
        let caseSensitive = try fields.bool("caseSensitive") ?? true
        let values = try fields.required("values", fields.strings)
        guard !values.isEmpty else {
            throw FieldError(path: fields.path("values"), message: "must contain at least one string")
        }
        needles = values.map { TextNeedle($0, caseSensitive: caseSensitive) }
        asciiNeedles = needles.allSatisfy(\.isASCII)
    }

    package func evaluate(_ output: String, cancellation: WorkCancellation? = nil) -> Verdict {
        let caseSensitive = needles[0].caseSensitive
        let qualifier = caseSensitive ? "" : " (ignoring case)"
        var budget = WorkBudget(steps: Self.maxSteps, cancellation: cancellation)
        if !caseSensitive, !budget.spend(output.utf8.count) { return undecided(budget, output) }
        let haystack = TextHaystack(output, caseSensitive: caseSensitive, asciiNeedles: asciiNeedles)
        let cost = max(1, haystack.byteCount)
        var missing: [String] = []
        for needle in needles {
            guard budget.spend(cost) else { return undecided(budget, output) }
            let found = needle.matches(.contains, in: haystack)
            if !requireAll, found { return .pass("output contains \(Quoting.quote(needle.text))\(qualifier)") }
            if requireAll, !found { missing.append(needle.text) }
        }
        if requireAll {
            if missing.isEmpty { return .pass("output contains all \(needles.count) values\(qualifier)") }
            return .fail(
                "output is missing \(missing.count) of \(needles.count) values\(qualifier): \(Quoting.list(missing))")
        }
        return .fail(
            "output contains none of the \(needles.count) values\(qualifier): \(Quoting.list(needles.map(\.text)))")
    }

    private func undecided(_ budget: WorkBudget, _ output: String) -> Verdict {
        let type = requireAll ? "containsAll" : "containsAny"
        switch budget.exhaustion {
        case .cancelled(let reason)?:
            return .fail("\(type) was not decided: stopped: \(reason)")
        default:
            return .fail(
                "\(type) was not decided: searching \(needles.count) values in an output of \(output.utf8.count) "
                    + "bytes needs more than \(budget.limit) steps (its work limit, one per byte searched); "
                    + "use fewer values or a shorter output")
        }
    }
}
