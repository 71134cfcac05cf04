import AssayAuth
import AssayCore
import AssayHTTP
import AssayKube
import AssayRedis
import Foundation

/// `assay-operator run`: the controller. Connects to the API server (a kubeconfig, or the pod's
/// service account), optionally waits to lead through a Lease, then reconciles EvaluationSuites
/// until SIGTERM; `/healthz`, `/readyz`, `/metrics` and the runs' results are served on the
/// health port throughout.
enum ControllerCommand {
    /// Everything `run` was told, validated.
    struct Settings: Sendable {
        var kubeconfig: String?
        var context: String?
        /// `config.redisURL` parsed (the text goes into the evaluators' environment).
        var redis: RedisURL
        var leaderElect: Bool
        var leaseNamespace: String?
        var election = LeaderElectionMachine.Configuration()
        var healthHost: String
        var healthPort: Int
        var config = OperatorConfig()
        var controller = Controller.Configuration()
        var logLevel: Logger.Level
        var identity: String
        var apiQPS = ControllerCommand.defaultAPIQPS
        var apiBurst = ControllerCommand.defaultAPIBurst

        /// The one namespace watched, or nil for all.
        var namespace: String? { controller.namespace }
    }

    /// Client-side limit on API requests: none by default (0), as controller-runtime's config has
    /// done since v0.15 ("we can rely on API priority and fairness"). The fixed 200/s (burst 500)
    /// this replaced was the whole of a 500-suite burst's p99 (bench/operator). What keeps us from
    /// flooding the API server instead: at most one request in flight per worker (16 by default,
    /// against kube-apiserver's 400 reads and 200 writes in flight), and the server's own flow
    /// control honoured: a 429 (or 503 with `Retry-After`) pauses every request of the client for
    /// the time the server names and the request is sent again (``APIFlowControl``). A positive
    /// `--kube-api-qps` adds the token bucket back, with `--kube-api-burst`.
    static let defaultAPIQPS = 0.0
    static let defaultAPIBurst = 500

    static func parser() -> OptionParser {
        var parser = OptionParser(command: "assay-operator run", summary: "Runs the EvaluationSuite controller.")
        parser.option(
            "kubeconfig", env: "ASSAY_KUBECONFIG",
            help: "kubeconfig file (default: KUBECONFIG, then the pod's service account, then ~/.kube/config)")
        parser.option("context", env: "ASSAY_CONTEXT", help: "kubeconfig context (default: its current-context)")
        parser.option("namespace", env: "ASSAY_NAMESPACE", help: "Watch only this namespace (default: all)")
        parser.option("redis", env: "ASSAY_REDIS_URL", default: OperatorConfig.defaultRedisURL, help: "Redis URL")
        parser.flag("leader-elect", env: "ASSAY_LEADER_ELECT", help: "Hold a Lease so one replica reconciles")
        parser.option(
            "leader-election-namespace", env: "ASSAY_LEADER_ELECTION_NAMESPACE",
            help: "Namespace of the Lease (default: the connection's namespace)")
        parser.option(
            "lease-duration-seconds", env: "ASSAY_LEASE_DURATION_SECONDS",
            default: format(LeaderElectionMachine.Configuration.defaultLeaseDuration),
            help: "How long a leader's Lease stays valid without renewal")
        parser.option(
            "renew-deadline-seconds", env: "ASSAY_RENEW_DEADLINE_SECONDS",
            default: format(LeaderElectionMachine.Configuration.defaultRenewDeadline),
            help: "How long the leader keeps trying to renew before it stops")
        parser.option(
            "retry-period-seconds", env: "ASSAY_RETRY_PERIOD_SECONDS",
            default: format(LeaderElectionMachine.Configuration.defaultRetryPeriod),
            help: "How often the Lease is read and renewed")
        parser.option("health-host", env: "ASSAY_HEALTH_HOST", default: "0.0.0.0", help: "Address of the health port")
        parser.option(
            "health-port", env: "ASSAY_HEALTH_PORT", default: "8081",
            help: "Port of /healthz, /readyz, /metrics and /v1/runs (0 picks a free one)")
        parser.option(
            "image", env: "ASSAY_EVALUATOR_IMAGE", default: OperatorConfig.defaultImage, help: "Evaluator image")
        parser.option(
            "results-base-url", env: "ASSAY_RESULTS_BASE_URL", default: OperatorConfig.defaultResultsBaseURL,
            help: "Base of the resultsURL written on each suite's status (this operator's Service)")
        parser.option(
            "auth-token-audiences", env: "ASSAY_AUTH_TOKEN_AUDIENCES",
            help:
                "Audiences a caller's token must be issued for at the results endpoint and the evaluators, comma-separated (default: the API server's own)"
        )
        parser.option(
            "workers", env: "ASSAY_WORKERS", default: String(Controller.Configuration.defaultWorkers),
            help: "Suites reconciled at once")
        parser.option(
            "resync-seconds", env: "ASSAY_RESYNC_SECONDS",
            default: format(Controller.Configuration.defaultResyncPeriod), help: "How often every suite is re-read")
        parser.option(
            "progress-interval-seconds", env: "ASSAY_PROGRESS_INTERVAL_SECONDS",
            default: format(OperatorConfig.defaultProgressInterval),
            help: "How often a running suite's progress is read from Redis while its evaluators are ready")
        parser.option(
            "redis-check-seconds", env: "ASSAY_REDIS_CHECK_SECONDS",
            default: format(Controller.Configuration.defaultRedisCheckInterval),
            help: "How often Redis is checked for lost data (a flush), which reconciles every suite again (0: never)")
        parser.option(
            "kube-api-qps", env: "ASSAY_KUBE_API_QPS", default: format(defaultAPIQPS),
            help: "API requests per second this operator allows itself (0: no client-side limit; 429s are honoured)")
        parser.option(
            "kube-api-burst", env: "ASSAY_KUBE_API_BURST", default: String(defaultAPIBurst),
            help: "API requests it may send at once before --kube-api-qps applies")
        parser.option("log-level", env: "ASSAY_LOG_LEVEL", default: "info", help: "debug, info, warning or error")
        return parser
    }

    static func format(_ duration: Duration) -> String { format(duration.inSeconds) }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func settings(_ values: OptionValues, environment: [String: String]) throws(OptionError) -> Settings {
        func seconds(_ name: String) throws(OptionError) -> Duration {
            guard let value = try values.positiveSeconds(name) else {
                throw .invalidValue(name: name, value: "", expected: "a positive number of seconds")
            }
            return value
        }
        func nonEmpty(_ name: String) -> String? { values.string(name).flatMap { $0.isEmpty ? nil : $0 } }
        guard let level = Logger.Level(name: values.string("log-level") ?? "info") else {
            throw .invalidValue(
                name: "log-level", value: values.string("log-level") ?? "", expected: "debug, info, warning or error")
        }
        let redisText = values.string("redis") ?? ""
        guard let redis = try? RedisURL(parsing: redisText) else {
            throw .invalidValue(name: "redis", value: "(hidden)", expected: "redis://[user:password@]host:port[/db]")
        }
        guard let port = try values.int("health-port"), (0...65535).contains(port) else {
            throw .invalidValue(name: "health-port", value: values.string("health-port") ?? "", expected: "0 to 65535")
        }
        guard let workers = try values.int("workers", atLeast: 1) else {
            throw .invalidValue(name: "workers", value: "", expected: "at least 1")
        }
        var settings = Settings(
            kubeconfig: nonEmpty("kubeconfig"), context: nonEmpty("context"), redis: redis,
            leaderElect: try values.bool("leader-elect"), leaseNamespace: nonEmpty("leader-election-namespace"),
            healthHost: values.string("health-host") ?? "0.0.0.0", healthPort: port, logLevel: level,
            identity: identity(environment))
        settings.election.leaseDuration = try seconds("lease-duration-seconds")
        settings.election.renewDeadline = try seconds("renew-deadline-seconds")
        settings.election.retryPeriod = try seconds("retry-period-seconds")
        guard settings.election.renewDeadline < settings.election.leaseDuration,
            settings.election.retryPeriod < settings.election.renewDeadline
        else {
            throw .invalidValue(
                name: "renew-deadline-seconds", value: values.string("renew-deadline-seconds") ?? "",
                expected: "less than --lease-duration-seconds and more than --retry-period-seconds")
        }
        settings.config.redisURL = redisText
        settings.config.image = values.string("image") ?? OperatorConfig.defaultImage
        settings.config.resultsBaseURL = values.string("results-base-url") ?? OperatorConfig.defaultResultsBaseURL
        settings.config.progressInterval = try seconds("progress-interval-seconds")
        settings.config.tokenAudiences = TokenReviewAuthenticator.audiences(
            parsing: values.string("auth-token-audiences"))
        settings.controller.namespace = nonEmpty("namespace")
        settings.controller.workers = workers
        settings.controller.resyncPeriod = try seconds("resync-seconds")
        settings.controller.redisCheckInterval =
            try values.double("redis-check-seconds") == 0 ? .zero : try seconds("redis-check-seconds")
        guard let qps = try values.double("kube-api-qps"), qps >= 0 else {
            throw .invalidValue(
                name: "kube-api-qps", value: values.string("kube-api-qps") ?? "", expected: "0 (no limit) or more")
        }
        guard let burst = try values.int("kube-api-burst", atLeast: 1) else {
            throw .invalidValue(name: "kube-api-burst", value: "", expected: "at least 1")
        }
        settings.apiQPS = qps
        settings.apiBurst = burst
        return settings
    }

    /// The pod's name (the downward API's POD_NAME or the hostname) and a random suffix, as
    /// client-go's `hostname_uuid`, so a restarted pod is a new holder.
    static func identity(_ environment: [String: String]) -> String {
        let host = environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        return "\(host)_\(UUID().uuidString.lowercased())"
    }

    static func run(_ arguments: [String], environment: [String: String]) async -> Int32 {
        let settings: Settings
        do {
            settings = try self.settings(
                try parser().parse(arguments, environment: environment), environment: environment)
        } catch {
            if case .helpRequested(let text) = error {
                FileHandle.standardOutput.write(Data(text.utf8))
                return 0
            }
            FileHandle.standardError.write(Data("assay-operator run: \(error)\n".utf8))
            return OperatorCommand.usageStatus
        }
        let logger = Logger(label: "assay-operator", minimumLevel: settings.logLevel)
        let client: KubeClient
        do {
            var env = environment
            if let file = settings.kubeconfig { env["KUBECONFIG"] = file }
            client = KubeClient(
                connection: try KubeConnection.infer(context: settings.context, environment: env),
                rateLimiter: ClientRateLimiter(qps: settings.apiQPS, burst: settings.apiBurst),
                userAgent: "assay-operator")
        } catch {
            FileHandle.standardError.write(Data("assay-operator run: cannot reach the API server: \(error)\n".utf8))
            return OperatorCommand.usageStatus
        }
        let redisURL = settings.redis
        let redis = RedisClient(url: redisURL)
        TerminationSignals.ignoreBrokenPipe()
        let signals = TerminationSignals()
        let registry = MetricsRegistry()
        let metrics = OperatorMetrics(registry: registry)
        let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
        let recorder = EventRecorder(client: client, instance: settings.identity, logger: logger, wallClock: wallClock)
        let controller = Controller(
            client: client, configuration: settings.controller, metrics: metrics, logger: logger
        ) { caches in
            Reconciler(
                client: client, caches: caches, redis: redis, config: settings.config, recorder: recorder,
                logger: logger, wallClock: wallClock)
        }
        let accessLog = AccessLog(label: logger.label)
        let results = RunResultsRoutes(
            redis: redis,
            access: AccessGuard(
                authenticator: TokenReviewAuthenticator(client: client, audiences: settings.config.tokenAudiences),
                authorizer: SubjectAccessReviewAuthorizer(client: client), accessLog: accessLog),
            suites: SuiteDirectory(cache: controller.caches.suites, client: client))
        let health = HealthServer(
            registry: registry, results: results,
            ready: { (settings.leaderElect && metrics.leader.value == 0) || controller.isSynced })
        let server = HTTPServer(
            configuration: HealthServer.configuration(host: settings.healthHost, port: settings.healthPort),
            responder: health.router)
        do {
            let port = try server.start()
            logger.info(
                "health, metrics and results served", ["address": "\(settings.healthHost):\(port)"])
        } catch {
            FileHandle.standardError.write(
                Data("assay-operator run: cannot listen on the health port: \(error)\n".utf8))
            return OperatorCommand.usageStatus
        }
        logger.info(
            "starting",
            [
                "server": client.connection.server, "namespace": settings.namespace ?? "(all)",
                "redis": redisURL.description, "leaderElect": "\(settings.leaderElect)", "identity": settings.identity,
            ])

        let status: Int32 = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                if settings.leaderElect {
                    let elector = LeaderElector(
                        client: client, leaseName: OperatorConfig.leaseName,
                        namespace: settings.leaseNamespace ?? client.connection.namespace,
                        identity: settings.identity, configuration: settings.election, clock: SystemClock(),
                        wallClock: wallClock, logger: logger, onLeadership: { metrics.leader.set($0 ? 1 : 0) })
                    // Losing the Lease ends the process: its replacement starts as a clean candidate.
                    return await elector.run { await controller.run() } == .lostLease ? 1 : 0
                }
                metrics.leader.set(1)
                await controller.run()
                return 0
            }
            group.addTask {
                let signal = await signals.next() ?? SIGTERM
                logger.info("shutting down", ["signal": "\(signal)"])
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // The controller and the elector (which releases the Lease) finish before exit.
            while let next = await group.next() { _ = next }
            return first ?? 0
        }
        await server.shutdown(gracePeriod: .seconds(2))
        accessLog.close()
        logger.info("stopped", ["status": "\(status)"])
        return status
    }
}
