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

    /// The longest text (output or reference) a similarity compares: the 1 MB outputs the
    /// evaluator is built for. Longer texts are refused before any work, with a reason (a
    /// sentence-level metric over megabytes says little anyway). At this size bleu, the slowest
    /// of the three, takes under a second of one core (bench/hostile: 0.8 s for two 1 MB texts).
    package static let maxTextBytes = 1024 * 1024

    /// Work limits in each metric's own steps. tokenF1 and bleu are linear (a step per token,
    /// and per n-gram for bleu), so their limits are a backstop above what ``maxTextBytes`` lets
    /// through (at most about 1 and 5 million steps); rougeL's LCS is quadratic and counts 64-bit
    /// word operations (``RougeL/maxWordOperations``, about 50 ms).
    package static func maxSteps(_ method: Method) -> Int {
        switch method {
        case .tokenF1: 2_000_000
        case .bleu: 8_000_000
        case .rougeL: RougeL.maxWordOperations
        }
    }

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

    package func evaluate(_ output: String, reference: String?, cancellation: WorkCancellation? = nil) -> Verdict {
        guard let reference else {
            return .fail("no reference to compare with; the request needs a \"reference\" text")
        }
        for (name, text) in [("output", output), ("reference", reference)] where text.utf8.count > Self.maxTextBytes {
            return .fail(
                "\(method.rawValue) was not computed: the \(name) has \(text.utf8.count) bytes, over the "
                    + "\(Self.maxTextBytes) a similarity compares (its work limit); compare an excerpt")
        }
        var budget = WorkBudget(steps: Self.maxSteps(method), cancellation: cancellation)
        let score: Double
        do throws(WorkBudget.Exhaustion) {
            switch method {
            case .tokenF1: score = try TokenF1.score(candidate: output, reference: reference, budget: &budget)
            case .bleu: score = try SentenceBLEU.score(candidate: output, reference: reference, budget: &budget)
            case .rougeL: score = try RougeL.score(candidate: output, reference: reference, budget: &budget)
            }
        } catch .steps(let limit) {
            let advice = method == .rougeL ? "; use tokenF1 or bleu for texts this long" : ""
            return .fail(
                "\(method.rawValue) was not computed: these texts need more than \(limit) steps "
                    + "(its work limit)\(advice)")
        } catch {
            return .fail("\(method.rawValue) was not computed: \(error)")
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
