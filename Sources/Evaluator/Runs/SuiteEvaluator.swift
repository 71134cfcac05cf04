import AssayCore
import Gateway
import Providers
import Scoring
import Suites

/// A suite ready to evaluate cases: criteria compiled (errors carry `spec.criteria[i]...`), each
/// target's provider chain resolved. `llmJudge` criteria are judged before scoring, as the
/// evaluation API does, through the same pool; `spec.judge` is their default chain.
struct SuiteEvaluator: Sendable {
    /// Longest a target's generation may take, retries and fallbacks included: the API's default.
    static let defaultGenerationTimeout = EvaluationService.defaultGenerationTimeout

    let spec: EvaluationSuiteSpec
    let scorecard: Scorecard
    let criterionNames: [String]
    let pool: ProviderPool?
    let generationTimeout: Duration
    /// The suite's `llmJudge` criteria, asked before each scoring.
    let judges: [LLMJudgeCriterion]
    /// `spec.judge`: the chain of `llmJudge` criteria that name none.
    let defaultJudge: [ProviderConfig]?

    /// - Parameter providers: who wrote the suite, for its `llmJudge` criteria's `judge` chains: a
    ///   local file, or a cluster's resource (no key sources).
    init(
        spec: EvaluationSuiteSpec, pool: ProviderPool?, generationTimeout: Duration = defaultGenerationTimeout,
        providers: ProviderOrigin = .localFile
    ) throws(FieldError) {
        self.spec = spec
        scorecard = try Scorecard.decode(
            .array(spec.criteria), at: "spec.criteria", cache: CriterionCache(providers: providers))
        criterionNames = spec.criterionNames
        self.generationTimeout = generationTimeout
        judges = scorecard.criteria.compactMap { criterion in
            if case .llmJudge(let judge) = criterion.kind { judge } else { nil }
        }
        defaultJudge = spec.judge?.providers.map(\.config)
        self.pool = pool
    }

    /// Every target's output for `suiteCase` (given, or generated), scored.
    func evaluate(_ suiteCase: SuiteCase, consumer: String) async -> CaseResult {
        var targets: [TargetResult] = []
        for target in spec.targets {
            targets.append(await evaluate(suiteCase, on: target))
        }
        return CaseResult(caseID: suiteCase.id, targets: targets, consumer: consumer)
    }

    private func evaluate(_ suiteCase: SuiteCase, on target: TargetSpec) async -> TargetResult {
        if let output = suiteCase.output { return await score(output, suiteCase, target: target.name) }
        guard let pool else {
            return TargetResult(
                target: target.name, output: "", passed: false, score: 0, criteria: [],
                error: "the case has no output and this evaluator has no HTTP client to generate one")
        }
        let chat = ChatRequest(
            messages: [.user(target.render(suiteCase))], maxTokens: target.maxTokens, temperature: target.temperature)
        switch await pool.chain(target.providers.map(\.config)).generate(chat, deadline: .now + generationTimeout) {
        case .success(let generation):
            var result = await score(
                generation.output, suiteCase, target: target.name, generation: GenerationFacts(generation))
            result.provider = generation.provider
            result.latencyMs = generation.latency.inMilliseconds
            result.inputTokens = generation.usage.inputTokens
            result.outputTokens = generation.usage.outputTokens
            return result
        case .failure(let failure):
            return TargetResult(
                target: target.name, output: "", latencyMs: failure.latency.inMilliseconds, passed: false, score: 0,
                criteria: [], error: failure.description)
        }
    }

    /// Scores one output; `generation` is set when the evaluator generated it, so that `latency` and
    /// `cost` criteria can judge the call. The judges get their own time budget, as in the API:
    /// generation may have used most of the first.
    private func score(
        _ output: String, _ suiteCase: SuiteCase, target: String, generation: GenerationFacts? = nil
    ) async -> TargetResult {
        var context = EvaluationContext(output: output, input: suiteCase.input, reference: suiteCase.reference)
        context.generation = generation
        if !judges.isEmpty {
            context.judgements = await JudgePass.run(
                judges, context: context, pool: pool, defaultJudge: defaultJudge, deadline: .now + generationTimeout)
        }
        let outcome = scorecard.evaluate(context)
        let criteria = zip(criterionNames, outcome.results).map { name, result in
            CriterionScore(
                name: name, type: result.type.rawValue, passed: result.passed, score: result.score,
                reason: result.reason)
        }
        return TargetResult(
            target: target, output: output, passed: outcome.passed, score: outcome.score, criteria: criteria)
    }
}
