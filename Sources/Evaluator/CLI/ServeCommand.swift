import AssayCore
import AssayHTTP
import AssayKube
import AssayRedis
import AssayResilience
import Evaluation
import Foundation
import Gateway
import Scoring
import Suites

/// `assay-evaluator serve`: runs the evaluation API until SIGTERM or SIGINT, then shuts down
/// gracefully (readiness 503, in-flight requests finish, exit).
///
/// With `--run-id` and `--suite` (worker mode, as the operator starts evaluator pods) it also works
/// on that run of that `EvaluationSuite` next to the API: see ``ClusterRun``.
struct ServeCommand {
    static func parser() -> OptionParser {
        var parser = OptionParser(
            command: "assay-evaluator serve", summary: "Runs the evaluation API (POST /v1/evaluate).")
        parser.option(Pod.host, default: "127.0.0.1", help: "Address to listen on (0.0.0.0 in a pod)")
        parser.option(Pod.port, default: String(Pod.httpPort), help: "TCP port to listen on (0 picks a free one)")
        parser.option(
            "max-body-bytes", env: "ASSAY_MAX_BODY_BYTES", default: String(HTTPServerConfiguration().maxBodyBytes),
            help: "Largest request body accepted; larger ones get 413")
        parser.option(
            "event-loops", env: "ASSAY_EVENT_LOOPS", help: "I/O threads (default: one per available core)")
        parser.option(
            "max-batch-items", env: "ASSAY_MAX_BATCH_ITEMS", default: String(EvaluationService.defaultMaxBatchItems),
            help: "Most items one /v1/evaluate/batch request may carry")
        ServeLimits.options(&parser)
        parser.option(
            "shutdown-grace-seconds", env: "ASSAY_SHUTDOWN_GRACE_SECONDS",
            default: String(Int(ServeCommand.defaultShutdownGraceSeconds)),
            help: "How long in-flight requests may run after SIGTERM")
        parser.option("log-level", env: "ASSAY_LOG_LEVEL", default: "info", help: "debug, info, warning or error")
        parser.option(
            Pod.redisURL,
            help: "redis://host:port shared by the pods for provider rate limits (default: limits per process)")
        parser.option(
            "replicas", env: "ASSAY_REPLICAS", default: "1",
            help: "Pods sharing each rate limit; each enforces 1/replicas of it without Redis or while Redis is down")
        parser.option(
            "generation-timeout-seconds", env: "ASSAY_GENERATION_TIMEOUT_SECONDS",
            default: String(Int(CaseEvaluation.defaultGenerationTimeout.inSeconds)),
            help: "Longest a target's generation may take, retries and fallbacks included")
        parser.option(
            "circuit-open-seconds", env: "ASSAY_CIRCUIT_OPEN_SECONDS",
            default: String(Int(CircuitBreakerConfiguration.defaultOpenDuration.inSeconds)),
            help: "How long a provider's open circuit rejects calls before half-open probes")
        parser.option(
            "ratelimit-max-wait-seconds", env: "ASSAY_RATELIMIT_MAX_WAIT_SECONDS",
            default: String(TokenBucket.Configuration.defaultMaxWait.inSeconds),
            help: "Longest a request waits for a provider's rate-limit slot before trying the next provider")
        ServeProviders.options(&parser)
        ServeAuth.options(&parser)
        workerOptions(&parser)
        return parser
    }

    /// Worker mode's options: on when `--run-id` and `--suite` are both given (with `--redis`).
    private static func workerOptions(_ parser: inout OptionParser) {
        parser.option(
            Pod.runID,
            help: "Worker mode: the run (<suite uid>-g<generation>) to work on, with --suite and --redis")
        parser.option(Pod.suite, help: "Worker mode: the EvaluationSuite the run belongs to")
        parser.option(
            Pod.suiteNamespace, default: KubeConnection.defaultNamespace,
            help: "Worker mode: the suite's namespace")
        parser.option(
            Pod.consumer,
            help: "Worker mode: this process's name in the run's consumer group (default: host-pid)")
        parser.option(
            Pod.concurrency,
            help: "Worker mode: cases in flight (default: the suite's concurrency)")
        parser.option(
            "kubeconfig", env: "ASSAY_KUBECONFIG",
            help:
                "Worker mode and --auth kubernetes: kubeconfig file (default: KUBECONFIG, then the in-cluster service account)"
        )
        parser.option(
            "status-interval-seconds", env: "ASSAY_STATUS_INTERVAL_SECONDS",
            default: String(Int(ClusterRunSettings.defaultStatusInterval.inSeconds)),
            help: "Worker mode: how often the backlog gauge is refreshed and the suite's status written")
        parser.option(
            "claim-timeout-ms", env: "ASSAY_CLAIM_TIMEOUT_MS",
            default: String(Int(RedisWorkQueue.Configuration.defaultVisibilityTimeout.inMilliseconds)),
            help: "Worker mode: a claim its consumer stopped refreshing this long is taken over by another")
        parser.option(
            "case-delay-ms", env: "ASSAY_CASE_DELAY_MS", default: "0",
            help: "Worker mode, testing only: extra time per case")
    }

    /// Kubernetes sends SIGKILL 30 s (terminationGracePeriodSeconds' default) after SIGTERM; we
    /// finish 5 s before that so the exit is ours.
    static let defaultShutdownGraceSeconds = 25.0

    static func run(_ arguments: [String]) async -> Int32 {
        let parsed = CommandLineExit.parse(arguments, with: parser())
        guard let values = parsed.values else { return parsed.exit }
        do {
            var configuration = HTTPServerConfiguration()
            configuration.host = values.string(Pod.host.option) ?? configuration.host
            configuration.port = try values.int(Pod.port.option) ?? configuration.port
            configuration.maxBodyBytes = try values.int("max-body-bytes") ?? configuration.maxBodyBytes
            if let loops = try values.int("event-loops") { configuration.eventLoopCount = loops }
            let limits = try ServeLimits(values, configuration: &configuration)
            let grace = try values.double("shutdown-grace-seconds") ?? defaultShutdownGraceSeconds
            let level = Logger.Level(name: values.string("log-level") ?? "info") ?? .info
            let logger = Logger(label: "assay-evaluator", minimumLevel: level)
            let clusterSettings = try ClusterRunSettings(values: values)
            let kube = try clusterSettings.map {
                KubeClient(connection: try $0.connection(), userAgent: "assay-evaluator")
            }

            TerminationSignals.ignoreBrokenPipe()
            let signals = TerminationSignals()
            let registry = EvaluatorApp.makeRegistry()
            let pool = try makePool(values, registry: registry, logger: logger)
            let generationTimeout =
                try values.positiveSeconds("generation-timeout-seconds") ?? CaseEvaluation.defaultGenerationTimeout
            let providers = try ServeProviders(values: values, logger: logger)
            let service = EvaluationService(
                registry: registry, providers: providers.catalog, allowInlineProviders: providers.allowInline,
                maxBatchItems: try values.int("max-batch-items") ?? EvaluationService.defaultMaxBatchItems, pool: pool,
                generationTimeout: generationTimeout, defaultJudge: providers.judge,
                executor: limits.executor)
            let access = try ServeAuth.access(
                values: values, host: configuration.host, cluster: clusterSettings, logger: logger)
            let app = EvaluatorApp(
                service: service, registry: registry, runs: pool.redis.map { RunsRoutes(redis: $0) }, access: access)
            let server = HTTPServer(
                configuration: configuration, responder: app.router, observer: HTTPMetrics(registry: registry))
            app.readiness.attach(server)
            let port = try server.start()
            logger.info(
                "listening",
                [
                    "address": "\(configuration.host):\(port)", "maxBodyBytes": "\(configuration.maxBodyBytes)",
                    "maxConnections": "\(configuration.maxConnections)",
                    "scoringThreads": "\(limits.executor.configuration.threads)",
                ])

            // Worker mode: the run goes on in its own task next to the server, sharing the pool (its
            // breakers and Redis rate limits) with the API.
            var worker: Task<Void, Never>?
            if let clusterSettings, let kube {
                let run = ClusterRun(
                    settings: clusterSettings, client: kube,
                    redis: pool.redis ?? RedisClient(url: clusterSettings.redis),
                    pool: pool, generationTimeout: generationTimeout, registry: registry, logger: logger)
                worker = Task { _ = await run.run() }
            }

            let signal = await signals.next() ?? SIGTERM
            logger.info("shutting down", ["signal": "\(signal)", "graceSeconds": "\(grace)"])
            // Cases in flight are not recorded: other evaluators take them over after the claim timeout.
            worker?.cancel()
            let graceEnds = ContinuousClock.now + .milliseconds(Int(grace * 1000))
            await server.shutdown(gracePeriod: .milliseconds(Int(grace * 1000)))
            limits.executor.stop()
            access.gate.accessLog?.close()
            if let worker { await ServeLimits.wait(for: worker, until: graceEnds + .seconds(1)) }
            logger.info("stopped")
            return 0
        } catch {
            return CommandLineExit.report(error)
        }
    }

    /// The provider pool: one HTTP client, rate limits in Redis when `--redis` is given.
    static func makePool(_ values: OptionValues, registry: MetricsRegistry, logger: Logger) throws -> ProviderPool {
        var configuration = ProviderPool.Configuration()
        if let replicas = try values.int("replicas", atLeast: 1) { configuration.replicas = replicas }
        if let open = try values.positiveSeconds("circuit-open-seconds") { configuration.circuitOpenDuration = open }
        if let wait = try values.double("ratelimit-max-wait-seconds") {
            guard wait >= 0 else {
                throw OptionError.invalidValue(
                    name: "ratelimit-max-wait-seconds", value: String(wait), expected: "0 or more seconds")
            }
            configuration.rateLimitMaxWait = .milliseconds(Int64(wait * 1000))
        }
        var redis: RedisClient?
        if let text = values.string(Pod.redisURL.option), !text.isEmpty {
            let url: RedisURL
            do {
                url = try RedisURL(parsing: text)
            } catch {
                throw OptionError.invalidValue(
                    name: "redis", value: "(hidden)", expected: "redis://[user:password@]host:port[/db]")
            }
            redis = RedisClient(url: url)
            logger.info(
                "provider rate limits are shared through Redis",
                ["redis": url.description, "replicas": String(configuration.replicas)])
        } else {
            logger.info(
                "no Redis configured (--redis or ASSAY_REDIS_URL): provider rate limits are per process,"
                    + " each process enforcing 1/replicas of every limit",
                ["replicas": String(configuration.replicas)])
        }
        let transport = try CurlHTTPClient()
        return ProviderPool(
            configuration: configuration, transport: transport, redis: redis,
            metrics: ProviderMetrics(registry: registry), logger: logger)
    }
}
