import AssayCore
import AssayResilience
import Providers

/// The provider gateway's Prometheus metrics:
///
/// - `assay_provider_requests_total{provider,model,outcome}`: calls made (skips are not calls);
/// - `assay_provider_request_duration_seconds{provider}`: how long each call took;
/// - `assay_provider_tokens_total{provider,direction}`: `input` and `output` tokens used;
/// - `assay_circuit_state{provider}`: 0 closed, 1 half-open, 2 open (the encoding);
/// - `assay_circuit_transitions_total{provider,to}`;
/// - `assay_ratelimit_wait_seconds{provider}`: time waited for a rate-limit slot;
/// - `assay_ratelimit_degraded`: 1 while any shared rate limit runs in-process (Redis unreachable);
/// - `assay_fallbacks_total{from,to,reason}`: a request moving on from one provider to the next.
public final class ProviderMetrics: Sendable {
    /// LLM calls take from milliseconds (a cache or the emulator) to a minute (long outputs).
    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Rate-limit waits are bounded by the maximum wait (2 s by default).
    static let waitBuckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]

    let requests: CounterFamily
    let duration: HistogramFamily
    let tokens: CounterFamily
    let circuitState: GaugeFamily
    let transitions: CounterFamily
    let rateLimitWait: HistogramFamily
    let fallbacks: CounterFamily
    private let degraded: Gauge
    /// Rate limiters currently degraded, by identity: the gauge is 1 while any is.
    private let degradedLimiters = Guarded<Set<String>>([])

    public init(registry: MetricsRegistry) {
        requests = registry.counter(
            "assay_provider_requests_total", help: "LLM provider calls, by provider, model and outcome.",
            labels: ["provider", "model", "outcome"])
        duration = registry.histogram(
            "assay_provider_request_duration_seconds", help: "Duration of LLM provider calls.",
            labels: ["provider"], buckets: Self.durationBuckets)
        tokens = registry.counter(
            "assay_provider_tokens_total", help: "Tokens used at LLM providers, by direction (input or output).",
            labels: ["provider", "direction"])
        circuitState = registry.gauge(
            "assay_circuit_state", help: "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
            labels: ["provider"])
        transitions = registry.counter(
            "assay_circuit_transitions_total", help: "Circuit breaker state changes, by provider and new state.",
            labels: ["provider", "to"])
        rateLimitWait = registry.histogram(
            "assay_ratelimit_wait_seconds", help: "Time spent waiting for a provider rate-limit slot.",
            labels: ["provider"], buckets: Self.waitBuckets)
        fallbacks = registry.counter(
            "assay_fallbacks_total", help: "Requests moving on from one provider to the next, by reason.",
            labels: ["from", "to", "reason"])
        degraded = registry.gauge(
            "assay_ratelimit_degraded",
            help: "1 while a shared rate limit is enforced in-process because Redis is unreachable, else 0."
        ).labels()
        degraded.set(0)
    }

    /// The gauge encoding: 0 closed, 1 half-open, 2 open.
    static func gaugeValue(_ kind: CircuitState.Kind) -> Double { Double(kind.gaugeValue) }

    func recordCall(provider: String, model: String, outcome: GenerationAttempt.Outcome, seconds: Double) {
        requests.labels(provider, model, outcome.rawValue).inc()
        duration.labels(provider).observe(seconds)
    }

    func recordTokens(provider: String, usage: TokenUsage) {
        tokens.labels(provider, "input").inc(by: Double(usage.inputTokens))
        tokens.labels(provider, "output").inc(by: Double(usage.outputTokens))
    }

    func recordTransition(provider: String, to kind: CircuitState.Kind) {
        circuitState.labels(provider).set(Self.gaugeValue(kind))
        transitions.labels(provider, kind.rawValue).inc()
    }

    func recordFallback(from: String, to: String, reason: GenerationAttempt.Outcome) {
        fallbacks.labels(from, to, reason.rawValue).inc()
    }

    func setDegraded(_ isDegraded: Bool, limiter: String) {
        let any = degradedLimiters.withLock { set in
            if isDegraded { set.insert(limiter) } else { set.remove(limiter) }
            return !set.isEmpty
        }
        degraded.set(any ? 1 : 0)
    }

    /// The current value of `assay_ratelimit_degraded`.
    public var isDegraded: Bool { degradedLimiters.withLock { !$0.isEmpty } }
}
