import AssayCore
import Scoring
import Suites

/// `assay_run_pass_rate{suite,target,bound}`: each target's pass rate so far (`bound="estimate"`)
/// and its interval at the suite's `confidenceLevel` (`lower`, `upper`: the status's, Wilson's or
/// with repeats or dataset clusters cluster-robust), as this evaluator last read the run's counts from Redis.
/// A target with no result yet has no samples.
struct RunPassRateMetrics: Sendable {
    static let name = "assay_run_pass_rate"

    private let family: GaugeFamily
    private let suite: String
    private let level: Double

    init(registry: MetricsRegistry, suite: String, level: Double) {
        family = registry.gauge(
            Self.name, help: "Pass rate of each target of the suite's run, with its interval's bounds",
            labels: ["suite", "target", "bound"])
        self.suite = suite
        self.level = level
    }

    func update(_ aggregates: RunAggregates) {
        for target in aggregates.targets {
            guard let interval = target.passRateInterval(level: level) else { continue }
            family.labels(suite, target.name, "estimate").set(target.passRate)
            family.labels(suite, target.name, "lower").set(interval.low)
            family.labels(suite, target.name, "upper").set(interval.high)
        }
    }
}
