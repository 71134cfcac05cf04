import AssayCore

/// `similarity`: how close the output is to the request's `reference`, by one of three
/// standard metrics; the score is the measured value and the criterion passes when it reaches
/// `threshold`.
///
/// Members: `method` (required: `tokenF1`, `rougeL` or `bleu`), `threshold` (0…1, default 0.5).
package struct SimilarityCriterion: Sendable {
    package enum Method: String, Sendable, CaseIterable {
        /// SQuAD v1.1 token F1 (``TokenF1``).
        case tokenF1
        /// ROUGE-L F-measure (``RougeL``).
        case rougeL
        /// Sentence BLEU-4 (``SentenceBLEU``).
        case bleu
    }

    /// Half way: an output sharing about half its content with the reference passes. Real pass
    /// marks depend on the metric and the task (BLEU runs lower than F1 for the same text), so
    /// suites are expected to set their own.
    package static let defaultThreshold = 0.5

    package let method: Method
    package let threshold: Double

    package init(_ fields: JSONFields) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(["method", "threshold"]))
        let methodName = try fields.required("method", fields.string)
        guard let method = Method(rawValue: methodName) else {
            throw FieldError(
                path: fields.path("method"),
                message: "must be one of: \(Method.allCases.map(\.rawValue).joined(separator: ", ")); "
                    + "got \(Quoting.quote(methodName))")
        }
        self.method = method
        threshold = try fields.number("threshold") ?? Self.defaultThreshold
        guard (0...1).contains(threshold) else {
            throw FieldError(path: fields.path("threshold"), message: "must be between 0 and 1, got \(threshold)")
        }
    }

    package func evaluate(_ output: String, reference: String?) -> Verdict {
        guard let reference else {
            return .fail("no reference to compare with; the request needs a \"reference\" text")
        }
        let score: Double
        switch method {
        case .tokenF1:
            score = TokenF1.score(candidate: output, reference: reference)
        case .bleu:
            score = SentenceBLEU.score(candidate: output, reference: reference)
        case .rougeL:
            do {
                score = try RougeL.score(candidate: output, reference: reference)
            } catch {
                guard case .tooLong(let candidate, let reference) = error else { return .fail("\(error)") }
                return .fail(
                    "rougeL cannot compare \(candidate) output tokens with \(reference) reference tokens "
                        + "within its work limit; use tokenF1 or bleu for texts this long")
            }
        }
        let passed = score >= threshold
        let comparison = passed ? "at least" : "below"
        return Verdict(
            passed: passed, score: score,
            reason: "\(method.rawValue) \(Self.format(score)) is \(comparison) the threshold \(Self.format(threshold))")
    }

    package static func format(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return String(rounded)
    }
}
