import AssayCore

/// The texts one evaluation request supplies to its criteria.
package struct EvaluationContext: Sendable {
    /// The model's answer, the text every criterion examines.
    package var output: String {
        didSet { outputDocument = OutputDocument(output) }
    }
    /// ``output`` parsed as JSON on first use, shared by the criteria that read it as JSON.
    package private(set) var outputDocument: OutputDocument
    /// The prompt the model answered; recorded for context, no criterion reads it yet.
    package var input: String?
    /// The expected answer, required by criteria whose ``Criterion/needsReference`` is true.
    package var reference: String?
    /// Set when the evaluator generated the output (a request with `target`): what `latency` and
    /// `cost` criteria examine.
    package var generation: GenerationFacts?
    /// The judges' answers for `llmJudge` criteria, obtained before scoring.
    package var judgements: [LLMJudgeCriterion: JudgeAnswer] = [:]
    /// The request's cancellation, which criteria with a ``WorkBudget`` check as they work.
    package var cancellation: WorkCancellation?

    package init(output: String, input: String? = nil, reference: String? = nil) {
        self.output = output
        self.outputDocument = OutputDocument(output)
        self.input = input
        self.reference = reference
    }
}

/// What one criterion concluded: the part of a ``CriterionResult`` that a criterion family
/// computes (the name, type and weight come from the ``Criterion`` around it).
package struct Verdict: Sendable, Equatable {
    package var passed: Bool
    /// From 0 to 1. Pass/fail criteria score 1 or 0; similarity scores the measured value.
    package var score: Double
    package var reason: String

    package static func pass(_ reason: String) -> Verdict { Verdict(passed: true, score: 1, reason: reason) }
    package static func fail(_ reason: String) -> Verdict { Verdict(passed: false, score: 0, reason: reason) }
    package static func check(_ passed: Bool, _ reason: String) -> Verdict { passed ? .pass(reason) : .fail(reason) }
}
