/// What the operator and the evaluator pods it runs agree on: the command, the settings the
/// operator passes (as flags or environment variables, each one of the evaluator's options), the
/// port, the probe paths and the mounts. `ChildrenBuilder` writes the Deployment from it and
/// `assay-evaluator serve` declares its options from it, so neither side spells a name the other
/// does not read. Provider keys from Secrets travel in ``SecretKeyRef/environmentVariable``.
public enum EvaluatorPodContract {
    /// One of `assay-evaluator serve`'s options: `--<option>`, or the variable when no flag is given.
    public struct Setting: Sendable, Hashable {
        public let option: String
        public let variable: String

        public var flag: String { "--\(option)" }
    }

    public static let executable = "assay-evaluator"
    public static let subcommand = "serve"

    // Passed as flags: how the pod listens and authenticates.
    public static let host = Setting(option: "host", variable: "ASSAY_HOST")
    public static let port = Setting(option: "port", variable: "ASSAY_PORT")
    public static let auth = Setting(option: "auth", variable: "ASSAY_AUTH")
    /// Given only when the operator was told audiences (`assay-operator run --auth-token-audiences`).
    public static let authTokenAudiences = Setting(
        option: "auth-token-audiences", variable: "ASSAY_AUTH_TOKEN_AUDIENCES")

    // Passed in the environment: which run the pod works on (worker mode) and where.
    public static let redisURL = Setting(option: "redis", variable: "ASSAY_REDIS_URL")
    public static let runID = Setting(option: "run-id", variable: "ASSAY_RUN_ID")
    public static let suite = Setting(option: "suite", variable: "ASSAY_SUITE")
    public static let suiteNamespace = Setting(option: "suite-namespace", variable: "ASSAY_SUITE_NAMESPACE")
    public static let consumer = Setting(option: "consumer", variable: "ASSAY_CONSUMER")
    public static let concurrency = Setting(option: "concurrency", variable: "ASSAY_CONCURRENCY")

    /// Every variable the operator sets on an evaluator container, besides provider keys.
    public static let environment = [redisURL, runID, suite, suiteNamespace, consumer, concurrency]

    /// Every address in a pod, so the Service and the kubelet's probes reach it.
    public static let listenAddress = "0.0.0.0"
    /// The evaluator's HTTP port (its default): the API, `/metrics` and the probes.
    public static let httpPort = 8080
    /// The container port's name, which the Service's `targetPort` and the probes name.
    public static let portName = "http"
    /// Callers present their ServiceAccount token; TokenReview and SubjectAccessReview decide.
    public static let authMode = "kubernetes"

    public static let livenessPath = "/healthz"
    public static let readinessPath = "/readyz"
    public static let metricsPath = "/metrics"

    /// Where a `configMap` dataset is mounted: `<datasetDirectory>/<key>`.
    public static let datasetDirectory = "/etc/assay/dataset"
    /// The one writable directory (the root filesystem is read-only).
    public static let scratchDirectory = "/tmp"

    /// The container's `command` and `args`; `audiences` (comma-separated), when not empty, are the
    /// token audiences callers' tokens must carry.
    public static let command = [executable]
    public static func arguments(audiences: [String] = []) -> [String] {
        [subcommand, host.flag, listenAddress, port.flag, String(httpPort), auth.flag, authMode]
            + (audiences.isEmpty ? [] : [authTokenAudiences.flag, audiences.joined(separator: ",")])
    }
}
