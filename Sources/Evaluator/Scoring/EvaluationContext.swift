/// The texts one evaluation request supplies to its criteria.
struct EvaluationContext: Sendable {
    /// The model's answer, the text every criterion examines.
    var output: String
    /// The prompt the model answered; recorded for context, no criterion reads it yet.
    var input: String?
    /// The expected answer, required by criteria whose ``Criterion/needsReference`` is true.
    var reference: String?
    /// Set when the evaluator generated the output (a request with `target`): what `latency` and
    /// `cost` criteria examine.
    var generation: GenerationFacts?
    /// The judges' answers for `llmJudge` criteria, obtained before scoring.
    var judgements: [LLMJudgeCriterion: JudgeAnswer] = [:]

    init(output: String, input: String? = nil, reference: String? = nil) {
        self.output = output
        self.input = input
        self.reference = reference
    }
}

/// What one criterion concluded: the part of a ``CriterionResult`` that a criterion family
/// computes (the name, type and weight come from the ``Criterion`` around it).
struct Verdict: Sendable, Equatable {
    var passed: Bool
    /// From 0 to 1. Pass/fail criteria score 1 or 0; similarity scores the measured value.
    var score: Double
    var reason: String

    static func pass(_ reason: String) -> Verdict { Verdict(passed: true, score: 1, reason: reason) }
    static func fail(_ reason: String) -> Verdict { Verdict(passed: false, score: 0, reason: reason) }
    static func check(_ passed: Bool, _ reason: String) -> Verdict { passed ? .pass(reason) : .fail(reason) }
}
