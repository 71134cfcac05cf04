import Providers
import Scoring
import Suites

/// The checks a run makes before it queues a case: every provider the run will call (each
/// target's chain when a case needs generating, the suite's judge when an `llmJudge` criterion
/// uses it, each criterion's own judge chain) has its key and a well-formed base URL. Every
/// problem is collected, so one attempt shows them all; without this, a missing key fails every
/// case in an instant and the report says only how many errored.
package enum SuitePreflight {
    /// Where a run's Secret-referenced keys come from, for the message that names the fix.
    package enum Keys: Sendable {
        /// A local run: `apiKey: {secretName, key}` is read from `ASSAY_SECRET_<SECRET>_<KEY>`.
        case environment
        /// An evaluator pod: the operator maps each `apiKey` to a variable from the Secret in
        /// `namespace` (optional, so that a missing key is reported here instead of keeping the
        /// pod from starting).
        case secrets(namespace: String)
    }

    /// One provider that cannot be called, and which one.
    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// `target "gpt", provider 0`, `judge, provider 1`, `criterion "tone" judge, provider 0`.
        package var location: String
        package var message: String

        package var description: String { "\(message) (\(location))" }
    }

    /// Every problem of `evaluator`'s providers; `generates` says whether any case lacks an
    /// output (otherwise the targets are never called).
    package static func problems(
        _ evaluator: SuiteEvaluator, generates: Bool, keys: Keys, environment: ProviderEnvironment = .process
    ) -> [Problem] {
        let spec = evaluator.spec
        var chains: [(String, [ProviderSpec])] = []
        if generates {
            chains += spec.targets.map { ("target \"\($0.name)\"", $0.providers) }
        }
        let judges = zip(spec.criterionNames, evaluator.scorecard.criteria).compactMap { name, criterion in
            if case .llmJudge(let judge) = criterion.kind { (name, judge) } else { nil }
        }
        if let judge = spec.judge, judges.contains(where: { $0.1.judge == nil }) {
            chains.append(("judge", judge.providers))
        }
        for (name, judge) in judges {
            if let own = judge.judge {
                chains.append(("criterion \"\(name)\" judge", own.map { ProviderSpec(config: $0) }))
            }
        }
        var problems: [Problem] = []
        for (label, providers) in chains {
            for (index, provider) in providers.enumerated() {
                let location = "\(label), provider \(index)"
                for message in provider.config.preflightProblems(in: environment) {
                    problems.append(Problem(location: location, message: describe(message, provider, keys)))
                }
            }
        }
        return problems
    }

    /// In a pod, a missing Secret key is named as the Secret and key the user wrote, not as the
    /// variable the operator chose.
    private static func describe(_ message: String, _ provider: ProviderSpec, _ keys: Keys) -> String {
        guard case .secrets(let namespace) = keys, let reference = provider.apiKey,
            message.contains(reference.environmentVariable)
        else { return message }
        return
            "no API key: Secret \"\(reference.secretName)\" in namespace \"\(namespace)\" has no key \"\(reference.key)\", or it is empty"
    }
}
