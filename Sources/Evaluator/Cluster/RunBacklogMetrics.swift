import AssayCore
import Scoring
import Suites

/// `assay_run_backlog{suite,run}`: the cases of the run that have no result yet, as this evaluator
/// last read them from Redis. Every evaluator of a run reports the whole backlog; the
/// prometheus-adapter rules (config/prometheus/adapter-rules.yaml) divide it by the pods reporting,
/// and each suite's HorizontalPodAutoscaler scales on that per-pod share.
struct RunBacklogMetrics: Sendable {
    static let name = "assay_run_backlog"

    private let gauge: Gauge

    init(registry: MetricsRegistry, suite: String, run: RunID) {
        gauge = registry.gauge(
            Self.name, help: "Cases of the suite's run without a result yet (0 once the run is complete)",
            labels: ["suite", "run"]
        ).labels(suite, run.rawValue)
    }

    func update(_ aggregates: RunAggregates) {
        gauge.set(Double(Self.backlog(aggregates)))
    }

    /// Total minus recorded cases; 0 once the run is complete or cancelled (nothing is left to
    /// scale for).
    static func backlog(_ aggregates: RunAggregates) -> Int {
        if aggregates.isComplete || aggregates.phase == .cancelled { return 0 }
        return max(0, aggregates.total - aggregates.recorded)
    }
}
