/// What the operator puts into every suite's children that the suite itself does not say.
struct OperatorConfig: Sendable, Hashable {
    /// The evaluator image; the release tag matches the operator's. (Our choice.)
    static let defaultImage = "ghcr.io/assay-dev/assay:latest"
    /// The in-cluster Redis Service that config/default expects. (Our choice.)
    static let defaultRedisURL = "redis://assay-redis:6379"
    /// The evaluators' HTTP port: API, /metrics, /healthz, /readyz (the evaluator's default).
    static let evaluatorPort = 8080
    /// The ServiceAccount of evaluator pods (config/rbac/evaluator).
    static let evaluatorServiceAccount = "assay-evaluator"

    var image = OperatorConfig.defaultImage
    var redisURL = OperatorConfig.defaultRedisURL
}
