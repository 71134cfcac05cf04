import AssayCore

/// `containsAll` and `containsAny`: the output against several values.
///
/// Members: `values` (non-empty array of strings, required), `caseSensitive` (default true).
/// Matching is as for `contains` (``TextCriterion``).
package struct TextListCriterion: Sendable {
    package let requireAll: Bool
    package let needles: [TextNeedle]

    package init(_ type: CriterionType, _ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(["values", "caseSensitive"]))
        requireAll = type == .containsAll
        let caseSensitive = try fields.bool("caseSensitive") ?? true
        let values = try fields.required("values", fields.strings)
        guard !values.isEmpty else {
            throw FieldError(path: fields.path("values"), message: "must contain at least one string")
        }
        needles = values.map { TextNeedle($0, caseSensitive: caseSensitive) }
    }

    package func evaluate(_ output: String) -> Verdict {
        let qualifier = needles[0].caseSensitive ? "" : " (ignoring case)"
        if requireAll {
            let missing = needles.filter { !$0.matches(.contains, in: output) }.map(\.text)
            if missing.isEmpty { return .pass("output contains all \(needles.count) values\(qualifier)") }
            return .fail(
                "output is missing \(missing.count) of \(needles.count) values\(qualifier): \(Quoting.list(missing))")
        }
        if let found = needles.first(where: { $0.matches(.contains, in: output) }) {
            return .pass("output contains \(Quoting.quote(found.text))\(qualifier)")
        }
        return .fail(
            "output contains none of the \(needles.count) values\(qualifier): \(Quoting.list(needles.map(\.text)))")
    }
}
