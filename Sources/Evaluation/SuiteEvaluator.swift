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

    /// Every target's output for `suiteCase` (given, or generated), scored. An offline suite's
    /// targets are the outputs the case carries (``SuiteTargets``; checked before the run is queued).
    package func evaluate(_ suiteCase: SuiteCase, consumer: String) async -> CaseResult {
        var targets: [TargetResult] = []
        if spec.isOffline {
            let names = suiteCase.outputs.isEmpty ? [SuiteCase.offlineOutputName] : suiteCase.outputs.map(\.name)
            for name in names {
                guard let output = suiteCase.output(for: name) else {
                    targets.append(
                        TargetResult(
                            target: name, output: "", passed: false, score: 0, criteria: [],
                            error: "the case has no output to score and the suite has no targets to generate one"))
                    continue
                }
                targets.append(await evaluate(suiteCase, subject: .output(output), named: name))
            }
        } else {
            for target in spec.targets {
                let subject: CaseEvaluation.Subject = suiteCase.output.map { .output($0) } ?? .target(target)
                targets.append(await evaluate(suiteCase, subject: subject, named: target.name))
            }
        }
        return CaseResult(caseID: suiteCase.id, targets: targets, consumer: consumer)
    }

    private func evaluate(_ suiteCase: SuiteCase, subject: CaseEvaluation.Subject, named name: String) async
        -> TargetResult
    {
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
                target: name, output: output, provider: generation?.provider,
                latencyMs: generation?.latency.inMilliseconds ?? 0, inputTokens: generation?.usage.inputTokens ?? 0,
                outputTokens: generation?.usage.outputTokens ?? 0, passed: scored.passed, score: scored.score,
                criteria: criteria)
        case .generationFailed(let failure):
            return TargetResult(
                target: name, output: "", latencyMs: failure.latency.inMilliseconds, passed: false, score: 0,
                criteria: [], error: failure.description)
        case .generationUnavailable:
            return TargetResult(
                target: name, output: "", passed: false, score: 0, criteria: [],
                error: "the case has no output and this evaluator has no HTTP client to generate one")
        }
    }
}
