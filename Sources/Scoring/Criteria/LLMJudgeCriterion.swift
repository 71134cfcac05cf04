import AssayCore
import Providers

/// `llmJudge`: another model grades the output against a rubric on a numeric scale.
///
/// ```json
/// {"type": "llmJudge", "rubric": "Answers the question accurately and briefly.",
///  "scale": {"min": 1, "max": 5}, "threshold": 4, "judge": ["openai-prod"]}
/// ```
///
/// The judge is asked for strict JSON `{"score": <number>, "reason": "<text>"}`; an answer with
/// extra text around one JSON object, or a plain `score: 4`, is accepted too. Anything else fails
/// the criterion with the answer quoted. `judge` is a provider chain, read as its writer may
/// (``ProviderOrigin``: names of configured providers in a request, definitions in a suite);
/// without it the evaluator's default judge (`--judge-providers`) is used. The call itself happens before scoring (see
/// `JudgePass`), so scoring stays free of I/O.
package struct LLMJudgeCriterion: Sendable, Hashable {
    /// The common 1-to-5 Likert scale of LLM-as-a-judge rubrics.
    package static let defaultScale = 1.0...5.0
    /// Longest rubric accepted: it is sent with every judged output.
    package static let maxRubricBytes = 16 << 10
    /// Judge answers quoted in a failure reason are cut to this many characters.
    package static let maxQuotedAnswer = 200
    package static let fields: Set<String> = ["rubric", "scale", "threshold", "judge"]

    package var rubric: String
    package var scale: ClosedRange<Double>
    /// Pass when the judge's score is at least this (in scale units).
    package var threshold: Double
    /// The judge chain; `nil` means the evaluator's default.
    package var judge: [ProviderConfig]?

    package init(_ fields: JSONFields, providers origin: ProviderOrigin = .localFile) throws(FieldError) {
        try fields.rejectUnknown(allowed: Criterion.commonFields.union(Self.fields))
        rubric = try fields.required("rubric", fields.string)
        guard !rubric.isEmpty, rubric.utf8.count <= Self.maxRubricBytes else {
            throw FieldError(
                path: fields.path("rubric"), message: "must be 1 to \(Self.maxRubricBytes) bytes of text")
        }
        if let scaleFields = try fields.objectFields("scale") {
            try scaleFields.rejectUnknown(allowed: ["min", "max"])
            let low = try scaleFields.required("min", scaleFields.number)
            let high = try scaleFields.required("max", scaleFields.number)
            guard low < high else {
                throw FieldError(path: fields.path("scale"), message: "min (\(low)) must be below max (\(high))")
            }
            scale = low...high
        } else {
            scale = Self.defaultScale
        }
        threshold = try fields.required("threshold", fields.number)
        guard scale.contains(threshold) else {
            throw FieldError(
                path: fields.path("threshold"),
                message:
                    "must be within the scale \(Self.format(scale.lowerBound))-\(Self.format(scale.upperBound)), got \(Self.format(threshold))"
            )
        }
        if let items = fields.value("judge") {
            if case .array(let list) = items, list.isEmpty {
                throw FieldError(path: fields.path("judge"), message: "must list at least one provider, or be left out")
            }
            judge = try origin.chain(items, at: fields.path("judge"))
        }
    }

    /// The request sent to the judge: instructions as a system message, the material as the user's.
    package func chatRequest(_ context: EvaluationContext) -> ChatRequest {
        let low = Self.format(scale.lowerBound)
        let high = Self.format(scale.upperBound)
        let system = """
            You grade a model's response against a rubric on a scale from \(low) (worst) to \(high) (best). \
            Reply with only a JSON object, no other text: {"score": <number from \(low) to \(high)>, \
            "reason": "<one sentence>"}
            """
        var user = "Rubric:\n\(rubric)\n\n"
        if let input = context.input { user += "Input:\n\(input)\n\n" }
        if let reference = context.reference { user += "Reference answer:\n\(reference)\n\n" }
        user += "Response to grade:\n\(context.output)"
        return ChatRequest(messages: [.system(system), .user(user)], temperature: 0)
    }

    /// The verdict on the judge's answer `text`.
    package func verdict(fromAnswer text: String) -> Verdict {
        guard let (score, reason) = Self.parse(text) else {
            return .fail("the judge's answer is not JSON {\"score\", \"reason\"}: \(Self.quote(text))")
        }
        guard scale.contains(score) else {
            return .fail(
                "the judge's score \(Self.format(score)) is outside the scale "
                    + "\(Self.format(scale.lowerBound))-\(Self.format(scale.upperBound)): \(Self.quote(text))")
        }
        let normalized = (score - scale.lowerBound) / (scale.upperBound - scale.lowerBound)
        let passed = score >= threshold
        let summary =
            "judge scored \(Self.format(score))/\(Self.format(scale.upperBound)) "
            + "(\(passed ? "at least" : "below") \(Self.format(threshold)))\(reason.isEmpty ? "" : ": \(reason)")"
        return Verdict(passed: passed, score: normalized, reason: summary)
    }

    /// Strict JSON first; then the outermost `{...}` in the text; then `score: N` anywhere.
    package static func parse(_ text: String) -> (score: Double, reason: String)? {
        if let found = fromJSON(text) { return found }
        if let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close,
            let found = fromJSON(String(text[open...close]))
        {
            return found
        }
        if let match = text.firstMatch(of: /"?score"?\s*[:=]\s*(-?[0-9]+(?:\.[0-9]+)?)/.ignoresCase()),
            let score = Double(match.1)
        {
            return (score, "")
        }
        return nil
    }

    private static func fromJSON(_ text: String) -> (score: Double, reason: String)? {
        guard let json = try? JSONParser.parse(Array(text.utf8)), case .object(let object) = json else { return nil }
        let score: Double?
        switch object["score"] {
        case .number(let value)?: score = value
        case .string(let value)?: score = Double(value.filter { !$0.isWhitespace })
        default: score = nil
        }
        guard let score, score.isFinite else { return nil }
        return (score, object["reason"]?.stringValue ?? "")
    }

    private static func quote(_ text: String) -> String {
        let cut = text.count > maxQuotedAnswer ? String(text.prefix(maxQuotedAnswer)) + "…" : text
        return Quoting.quote(cut)
    }

    package static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension LLMJudgeCriterion {
    /// The verdict from the judge's answer resolved before scoring (`context.judgements`).
    package func evaluate(_ context: EvaluationContext) -> Verdict {
        switch context.judgements[self] {
        case .answered(let text, let provider)?:
            var verdict = verdict(fromAnswer: text)
            verdict.reason += " (judge: \(provider))"
            return verdict
        case .unavailable(let reason)?:
            return .fail("no judge could answer: \(reason)")
        case nil:
            return .fail("the judge was not consulted for this output")
        }
    }
}
