import Gateway
import Providers
import Scoring

/// Asks the judges of `llmJudge` criteria, concurrently, before the (synchronous) scoring: each
/// distinct criterion once, through its own chain or the default judge chain.
package enum JudgePass {
    package static func run(
        _ judges: [LLMJudgeCriterion], context: EvaluationContext, pool: ProviderPool?,
        defaultJudge: [ProviderConfig]?, deadline: ContinuousClock.Instant
    ) async -> [LLMJudgeCriterion: JudgeAnswer] {
        guard !judges.isEmpty else { return [:] }
        guard let pool else {
            return Dictionary(
                judges.map { ($0, .unavailable(reason: "this evaluator could not start its HTTP client")) },
                uniquingKeysWith: { first, _ in first })
        }
        let distinct = Array(Set(judges))
        return await withTaskGroup(of: (LLMJudgeCriterion, JudgeAnswer).self) { group in
            for criterion in distinct {
                group.addTask {
                    guard let providers = criterion.judge ?? defaultJudge, !providers.isEmpty else {
                        return (criterion, .unavailable(reason: "no judge providers configured"))
                    }
                    switch await pool.chain(providers).generate(criterion.chatRequest(context), deadline: deadline) {
                    case .success(let generation):
                        return (criterion, .answered(text: generation.output, provider: generation.provider))
                    case .failure(let failure):
                        return (criterion, .unavailable(reason: failure.description))
                    }
                }
            }
            var answers: [LLMJudgeCriterion: JudgeAnswer] = [:]
            for await (criterion, answer) in group { answers[criterion] = answer }
            return answers
        }
    }
}
