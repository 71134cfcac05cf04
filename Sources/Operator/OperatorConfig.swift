import AssayCore

/// What the operator puts into every suite's children that the suite itself does not say.
struct OperatorConfig: Sendable, Hashable {
    /// The evaluator image; the release tag matches the operator's. (Our choice.)
    static let defaultImage = "ghcr.io/assay-dev/assay:latest"
    /// The in-cluster Redis Service that config/default expects. (Our choice.)
    static let defaultRedisURL = "redis://assay-redis:6379"
    /// The ServiceAccount of evaluator pods (config/rbac/evaluator).
    static let evaluatorServiceAccount = "assay-evaluator"
    /// The operator's Service in config/manager, which serves every run's results from Redis even
    /// after the evaluators scaled to zero.
    static let defaultResultsBaseURL = "http://assay-operator.assay-system.svc:8081"
    /// The leader-election Lease: one per installation, in the operator's namespace.
    static let leaseName = "assay-operator-leader"
    /// The finalizer that removes a suite's runs from Redis before the resource goes.
    static let finalizer = "eval.assay.dev/run-data"
    /// How often a running suite's progress is read from Redis: the evaluators' status interval,
    /// so the operator notices the end of a run within seconds. (Our choice.)
    static let defaultProgressInterval = Duration.seconds(5)
    /// While a run makes no progress (no evaluator running yet, a provider down) the reads back
    /// off, doubling up to this. The evaluators' status writes wake the operator anyway, so this
    /// is only the safety net; at 500 stalled suites it is 500 Redis reads a minute. (Our choice.)
    static let maxProgressInterval = Duration.seconds(60)

    var image = OperatorConfig.defaultImage
    var redisURL = OperatorConfig.defaultRedisURL
    var resultsBaseURL = OperatorConfig.defaultResultsBaseURL
    var progressInterval = OperatorConfig.defaultProgressInterval
    var maxProgressInterval = OperatorConfig.maxProgressInterval
    /// `--auth-token-audiences`: what callers' tokens must be issued for, at the results endpoint
    /// and at the evaluators it runs; empty: the API server's own audiences.
    var tokenAudiences: [String] = []

    /// Reads of a running suite's progress: every `progressInterval` while it moves, doubling up
    /// to `maxProgressInterval` (never below `progressInterval`) while it stands still.
    var progressBackoff: Backoff {
        (try? Backoff(base: progressInterval, cap: max(maxProgressInterval, progressInterval)))
            ?? Self.defaultProgressBackoff
    }

    static let defaultProgressBackoff = try! Backoff(base: defaultProgressInterval, cap: maxProgressInterval)

    func resultsURL(run: String) -> String { "\(resultsBaseURL)/v1/runs/\(run)/results" }
}
