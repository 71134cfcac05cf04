import AssayCore

/// `latency`: the generation (the target's provider chain, retries and fallbacks included) took
/// at most `maxMs` milliseconds. Only for requests with a `target`.
///
/// ```json
/// {"type": "latency", "maxMs": 2000}
/// ```
package struct LatencyCriterion: Sendable {
    package static let fields: Set<String> = ["maxMs"]

    package var maxMs: Double

    package init(_ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(Self.fields))
        maxMs = try fields.required("maxMs", fields.number)
        guard maxMs > 0 else { throw FieldError(path: fields.path("maxMs"), message: "must be positive, got \(maxMs)") }
    }

    package func evaluate(_ generation: GenerationFacts?) -> Verdict {
        guard let generation else {
            return .fail("no generation to time: latency needs a target instead of output")
        }
        let took = generation.latencyMs
        return .check(
            took <= maxMs,
            "generation took \(Self.format(took)) ms, \(took <= maxMs ? "within" : "over") the limit of \(Self.format(maxMs)) ms"
        )
    }

    package static func format(_ value: Double) -> String { String(Int(value.rounded())) }
}
