import AssayCore
import Gateway
import Providers
import Scoring
import Suites

/// A suite ready to evaluate cases: criteria compiled (errors carry `spec.criteria[i]...`), each
/// case's targets run through the ``CaseEvaluation`` pipeline the evaluation API uses, with
/// `spec.judge` as the default judge chain.
package struct SuiteEvaluator: Sendable {
    package let spec: EvaluationSuiteSpec
    package let scorecard: Scorecard
    package let criterionNames: [String]
    package let evaluation: CaseEvaluation

    /// - Parameter providers: who wrote the suite, for its `llmJudge` criteria's `judge` chains: a
    ///   local file, or a cluster's resource (no key sources).
    package init(
        spec: EvaluationSuiteSpec, pool: ProviderPool?,
        generationTimeout: Duration = CaseEvaluation.defaultGenerationTimeout, providers: ProviderOrigin = .localFile
    ) throws(FieldError) {
        self.spec = spec
        scorecard = try Scorecard.decode(
            .array(spec.criteria), at: "spec.criteria", cache: CriterionCache(providers: providers))
        criterionNames = spec.criterionNames
        evaluation = CaseEvaluation(
            pool: pool, defaultJudge: spec.judge?.providers.map(\.config), generationTimeout: generationTimeout)
    }

    /// Every target's output for `suiteCase` (given, or generated), scored.
    package func evaluate(_ suiteCase: SuiteCase, consumer: String) async -> CaseResult {
        var targets: [TargetResult] = []
        for target in spec.targets {
            targets.append(await evaluate(suiteCase, on: target))
        }
        return CaseResult(caseID: suiteCase.id, targets: targets, consumer: consumer)
    }

    private func evaluate(_ suiteCase: SuiteCase, on target: TargetSpec) async -> TargetResult {
        let subject: CaseEvaluation.Subject = suiteCase.output.map { .output($0) } ?? .target(target)
        let outcome = await evaluation.evaluate(subject, inputs: .init(suiteCase), scorecard: scorecard) {
            scorecard, context in scorecard.evaluate(context)
        }
        switch outcome {
        case .scored(let scored, let output, let generation):
            let criteria = zip(criterionNames, scored.results).map { name, result in
                CriterionScore(
                    name: name, type: result.type.rawValue, passed: result.passed, score: result.score,
                    reason: result.reason)
            }
            return TargetResult(
                target: target.name, output: output, provider: generation?.provider,
                latencyMs: generation?.latency.inMilliseconds ?? 0, inputTokens: generation?.usage.inputTokens ?? 0,
                outputTokens: generation?.usage.outputTokens ?? 0, passed: scored.passed, score: scored.score,
                criteria: criteria)
        case .generationFailed(let failure):
            return TargetResult(
                target: target.name, output: "", latencyMs: failure.latency.inMilliseconds, passed: false, score: 0,
                criteria: [], error: failure.description)
        case .generationUnavailable:
            return TargetResult(
                target: target.name, output: "", passed: false, score: 0, criteria: [],
                error: "the case has no output and this evaluator has no HTTP client to generate one")
        }
    }
}
