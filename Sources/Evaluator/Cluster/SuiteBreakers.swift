import AssayResilience
import Gateway
import Providers
import Scoring
import Suites

/// The circuit-breaker state of every provider of every target of a suite, as this evaluator's
/// ``ProviderPool`` sees it, for the `breakers` of the suite's status.
enum SuiteBreakers {
    /// One entry per provider of each target, in spec order. A provider this evaluator has not
    /// called yet has no breaker in the pool and is reported `closed`, which is where a breaker
    /// starts; reading never creates endpoints.
    static func states(of spec: EvaluationSuiteSpec, in pool: ProviderPool) -> [SuiteProgress.Breaker] {
        var kinds: [ProviderConfig: CircuitState.Kind] = [:]
        for endpoint in pool.all { kinds[endpoint.config] = endpoint.breaker.state.kind }
        return spec.targets.flatMap { target in
            target.providers.map { provider in
                SuiteProgress.Breaker(
                    target: target.name, provider: provider.config.name,
                    state: kinds[provider.config] ?? .closed)
            }
        }
    }
}
