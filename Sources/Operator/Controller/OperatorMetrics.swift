import AssayCore

/// The operator's own metrics on `/metrics` of the health port.
struct OperatorMetrics: Sendable {
    /// Reconcile outcomes: `success`, `requeue` (success, look again later) and `error`.
    let reconciles: CounterFamily
    let reconcileDuration: HistogramFamily
    /// Keys waiting or being reconciled.
    let queueDepth: Gauge
    /// Relists after the first, per watched resource: each one means a watch could not resume.
    let watchRestarts: CounterFamily
    /// 1 while this replica holds the Lease (or runs without leader election).
    let leader: Gauge

    init(registry: MetricsRegistry) {
        reconciles = registry.counter(
            "assay_operator_reconciles_total", help: "Reconciles of EvaluationSuites by result.", labels: ["result"])
        reconcileDuration = registry.histogram(
            "assay_operator_reconcile_duration_seconds", help: "Time spent in one reconcile, by result.",
            labels: ["result"])
        queueDepth = registry.gauge(
            "assay_operator_queue_depth", help: "Suites waiting in the work queue or being reconciled."
        ).labels([])
        watchRestarts = registry.counter(
            "assay_operator_watch_restarts_total",
            help: "Relists after the first, per watched resource (a watch that could not resume).",
            labels: ["resource"])
        leader = registry.gauge(
            "assay_operator_leader", help: "1 while this replica is the leader and reconciles."
        ).labels([])
        registry.addCollector(ProcessMetrics())
    }
}
