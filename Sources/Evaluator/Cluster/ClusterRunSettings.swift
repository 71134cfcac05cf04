import AssayCore
import AssayKube
import AssayRedis
import Scoring
import Suites

/// What worker mode of `assay-evaluator serve` needs, read from its options: which run to work
/// on, for which `EvaluationSuite`, as which consumer, and how to reach Redis and the API server.
///
/// Worker mode is on when both `--run-id` and `--suite` are given (the operator sets them on the
/// evaluator pods it creates); ``init(values:)`` then returns the settings, or throws an error
/// naming the flag to fix.
struct ClusterRunSettings: Sendable {
    /// How often the backlog gauge is refreshed and an evaluator competes to write the suite's
    /// status. Five seconds is the cadence of `assay-evaluator run`'s plain progress line
    /// (``RunProgress``), and one status write per suite every 5 s (0.2 writes/s) is small next to
    /// the 5 requests/s client-go grants each client. (Our choice.)
    static let defaultStatusInterval = Duration.seconds(5)

    var runID: RunID
    var suite: String
    var namespace: String
    var consumer: String
    /// Cases in flight; `nil` takes the suite spec's `concurrency`.
    var concurrency: Int?
    var statusInterval: Duration
    var claimTimeout: Duration
    /// Testing only: extra time spent on each case, to slow a run down.
    var caseDelay: Duration
    var redis: RedisURL
    /// `--kubeconfig`; `nil` infers the connection (`KUBECONFIG`, then the in-cluster service account).
    var kubeconfig: String?

    /// The settings when worker mode is on, `nil` when neither `--run-id` nor `--suite` is given.
    init?(values: OptionValues) throws {
        let runText = Self.nonEmpty(values.string(Pod.runID.option))
        let suiteText = Self.nonEmpty(values.string(Pod.suite.option))
        if runText == nil && suiteText == nil { return nil }
        guard let runText else { throw WorkerModeError.missing("run-id", because: "--suite is given") }
        guard let suiteText else { throw WorkerModeError.missing("suite", because: "--run-id is given") }
        guard let runID = RunID(runText) else {
            throw OptionError.invalidValue(
                name: "run-id", value: runText, expected: "a run id: 1 to 128 of A-Z, a-z, 0-9, '.', '_' and '-'")
        }
        guard let redisText = Self.nonEmpty(values.string(Pod.redisURL.option)) else {
            throw WorkerModeError.missing("redis", because: "worker mode (--run-id and --suite) keeps the run in Redis")
        }
        do {
            redis = try RedisURL(parsing: redisText)
        } catch {
            throw OptionError.invalidValue(
                name: "redis", value: "(hidden)", expected: "redis://[user:password@]host:port[/db]")
        }
        self.runID = runID
        suite = suiteText
        namespace = Self.nonEmpty(values.string(Pod.suiteNamespace.option)) ?? KubeConnection.defaultNamespace
        consumer = Self.nonEmpty(values.string(Pod.consumer.option)) ?? RunCommand.defaultConsumer()
        if let concurrency = try values.int(Pod.concurrency.option, atLeast: 1) { self.concurrency = concurrency }
        statusInterval = try values.positiveSeconds("status-interval-seconds") ?? Self.defaultStatusInterval
        let claimMilliseconds =
            try values.int("claim-timeout-ms", atLeast: 1)
            ?? Int(RedisWorkQueue.Configuration.defaultVisibilityTimeout.inMilliseconds)
        claimTimeout = .milliseconds(claimMilliseconds)
        caseDelay = .milliseconds(try values.int("case-delay-ms", atLeast: 0) ?? 0)
        kubeconfig = Self.nonEmpty(values.string("kubeconfig"))
    }

    /// The API server connection: `--kubeconfig`'s current context, else what the environment
    /// describes.
    func connection() throws -> KubeConnection { try Self.connection(kubeconfig: kubeconfig) }

    /// `kubeconfig`'s current context, else what the environment describes (`KUBECONFIG`, then
    /// the in-cluster service account).
    static func connection(kubeconfig: String?) throws -> KubeConnection {
        let kubeconfig = nonEmpty(kubeconfig)
        do {
            if let kubeconfig { return try KubeConfig.load(paths: [kubeconfig]).connection() }
            return try KubeConnection.infer()
        } catch {
            throw WorkerModeError.kubernetes(kubeconfig != nil ? "kubeconfig" : nil, error)
        }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// Worker mode started with options that cannot work; the message names the flag.
enum WorkerModeError: Error, CustomStringConvertible {
    case missing(String, because: String)
    case kubernetes(String?, KubeError)

    var description: String {
        switch self {
        case .missing(let flag, let reason): "--\(flag) is required: \(reason)"
        case .kubernetes(let flag?, let error): "--\(flag): \(error)"
        case .kubernetes(nil, let error): "cannot find the Kubernetes API (set --kubeconfig or KUBECONFIG): \(error)"
        }
    }
}
