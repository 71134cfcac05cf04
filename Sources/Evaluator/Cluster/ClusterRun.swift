import AssayCore
import AssayKube
import AssayRedis
import AssayResilience
import Evaluation
import Gateway
import Scoring
import Suites

/// Worker mode of `assay-evaluator serve`: what an evaluator pod the operator created does next to
/// serving the API. It reads its `EvaluationSuite`, checks that the suite is still on the pod's
/// run (an edited suite is a new generation, a new run and a new Deployment), waits until the
/// operator has seeded the run in Redis, then works on the run's cases with a ``RunWorker``,
/// refreshing the backlog gauge and (coalesced across pods) the suite's status every status
/// interval. It returns when the run is complete or cancelled, or when there is nothing to do;
/// the pod keeps serving until the operator scales it to zero.
///
/// Cancelling the task (SIGTERM) stops claiming; cases in flight are then taken over by other
/// evaluators once the claim timeout has passed.
struct ClusterRun: Sendable {
    /// Reading the suite: first wait after a failure, and the most a wait grows to. (Our choice:
    /// the first retry is quick for a blip; the cap is client-go's reflector cap, 30 s.)
    static let suiteBackoff = try! Backoff(base: .milliseconds(500), cap: .seconds(30), jitter: .equal)
    /// Reads of the suite before the worker gives up: with the waits above about three minutes,
    /// long enough for an API server restart; a suite unreadable for longer (RBAC missing) is
    /// logged as an error instead of retried for ever. (Our choice.)
    static let maxSuiteAttempts = 12
    /// Waiting for the run to appear in Redis: the operator seeds it before it creates the pods,
    /// so the first read normally finds it; the waits only cover a Redis outage. (Our choice.)
    static let runBackoff = try! Backoff(base: .milliseconds(200), cap: .seconds(5), jitter: .equal)

    /// Why ``run()`` returned.
    enum Outcome: Sendable, Equatable {
        /// The worker ended with these aggregates (complete, or the run was cancelled).
        case finished(recorded: Int, total: Int)
        /// The suite is on another generation than this pod's run: no work done.
        case superseded(current: RunID)
        /// The suite no longer exists.
        case deleted
        /// The suite cannot be read or used (or its providers cannot be called); the message says why.
        case failed(String)
        /// The task was cancelled (SIGTERM).
        case cancelled
    }

    let settings: ClusterRunSettings
    let client: KubeClient
    let redis: RedisClient
    let pool: ProviderPool
    let generationTimeout: Duration
    let registry: MetricsRegistry
    let logger: Logger

    private var fields: KeyValuePairs<String, String> {
        ["suite": "\(settings.namespace)/\(settings.suite)", "run": settings.runID.rawValue]
    }

    func run() async -> Outcome {
        let outcome = await work()
        switch outcome {
        case .finished(let recorded, let total):
            logger.info(
                "the run is over; this evaluator keeps serving the API",
                ["run": settings.runID.rawValue, "recorded": String(recorded), "total": String(total)])
        case .superseded(let current):
            logger.info(
                "the suite has moved on to a newer generation; no work for this evaluator",
                [
                    "suite": "\(settings.namespace)/\(settings.suite)", "run": settings.runID.rawValue,
                    "current": current.rawValue,
                ])
        case .deleted:
            logger.info("the suite was deleted; no work for this evaluator", fields)
        case .failed(let reason):
            logger.error("worker mode stopped; this evaluator keeps serving the API", ["reason": reason])
        case .cancelled:
            logger.info("worker stopped before the run was over", fields)
        }
        return outcome
    }

    private func work() async -> Outcome {
        let suite: EvaluationSuite
        switch await readSuite() {
        case .found(let read): suite = read
        case .stop(let outcome): return outcome
        }
        let current = RunID.resource(uid: suite.metadata.uid ?? "", generation: suite.metadata.generation ?? 0)
        guard current == settings.runID else { return .superseded(current: current) }
        let evaluator: SuiteEvaluator
        do {
            evaluator = try SuiteEvaluator(
                spec: suite.spec, pool: pool, generationTimeout: generationTimeout, providers: .resource)
        } catch {
            return .failed("the suite's spec is invalid: \(error)")
        }
        if let problems = preflight(evaluator, spec: suite.spec) {
            // Every pod of the run has the same environment: none claims a case, and the operator
            // ends the run from the condition.
            await reportPreflight(problems, generation: suite.metadata.generation ?? 0)
            return .failed("preflight: \(problems)")
        }
        let queue = RedisWorkQueue(
            redis: redis,
            configuration: .init(
                run: settings.runID, consumer: settings.consumer, visibilityTimeout: settings.claimTimeout))
        let outages = OutageLog("Redis", logger: logger)
        guard let first = await waitForRun(queue, outages: outages) else { return .cancelled }

        let backlog = RunBacklogMetrics(registry: registry, suite: settings.suite, run: settings.runID)
        let passRates = RunPassRateMetrics(registry: registry, suite: settings.suite, level: suite.spec.confidenceLevel)
        backlog.update(first)
        passRates.update(first)
        let writer = SuiteStatusWriter(
            client: client, redis: redis, suite: settings.suite, namespace: settings.namespace,
            runID: settings.runID, consumer: settings.consumer, interval: settings.statusInterval, logger: logger,
            outages: outages)
        let spec = suite.spec
        let pool = self.pool
        let progress: @Sendable (RunAggregates) -> SuiteProgress = { aggregates in
            SuiteProgress(
                aggregates, breakers: SuiteBreakers.states(of: spec, in: pool), level: spec.confidenceLevel)
        }
        let concurrency = settings.concurrency ?? spec.concurrency
        logger.info(
            "working on the run",
            [
                "run": settings.runID.rawValue, "suite": "\(settings.namespace)/\(settings.suite)",
                "consumer": settings.consumer, "concurrency": String(concurrency), "total": String(first.total),
                "recorded": String(first.recorded),
            ])
        let worker = RunWorker(
            queue: queue, evaluator: evaluator, consumer: settings.consumer,
            options: RunWorker.Options(concurrency: concurrency, caseDelay: settings.caseDelay), logger: logger,
            outages: outages)
        var last: RunAggregates?
        await withDiscardingTaskGroup { group in
            group.addTask {
                await refreshPeriodically(
                    queue, backlog: backlog, passRates: passRates, writer: writer, progress: progress,
                    outages: outages)
            }
            last = await worker.run()
            group.cancelAll()
        }
        if Task.isCancelled { return .cancelled }
        guard let last else { return .failed("the run's aggregates could not be read when the worker ended") }
        backlog.update(last)
        passRates.update(last)
        await writer.writeFinal(progress(last))
        return .finished(recorded: last.recorded, total: last.total)
    }

    /// Every status interval until cancelled: the backlog gauge from the run's aggregates, and a
    /// status write if this evaluator wins the round.
    private func refreshPeriodically(
        _ queue: RedisWorkQueue, backlog: RunBacklogMetrics, passRates: RunPassRateMetrics, writer: SuiteStatusWriter,
        progress: @Sendable (RunAggregates) -> SuiteProgress, outages: OutageLog
    ) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: settings.statusInterval)
            } catch {
                return
            }
            let aggregates: RunAggregates?
            do {
                aggregates = try await queue.aggregates()
                outages.succeeded()
            } catch {
                outages.failed(error)
                continue
            }
            guard let aggregates else { continue }
            backlog.update(aggregates)
            passRates.update(aggregates)
            await writer.writeIfHolder(progress(aggregates))
        }
    }

    /// What reading the suite gave: the suite, or the reason to stop.
    private enum SuiteRead {
        case found(EvaluationSuite)
        case stop(Outcome)
    }

    /// GETs the suite, retrying failures with backoff; a 404 means it was deleted.
    private func readSuite() async -> SuiteRead {
        var attempt = 0
        while true {
            attempt += 1
            let error: KubeError
            do {
                let object = try await client.get(
                    .evaluationSuite, name: settings.suite, namespace: settings.namespace)
                do {
                    return .found(try EvaluationSuite.decode(object.json, providers: .resource))
                } catch {
                    return .stop(.failed("the suite cannot be decoded: \(error)"))
                }
            } catch let failure {
                error = failure
            }
            if case .cancelled = error { return .stop(.cancelled) }
            if error.isNotFound { return .stop(.deleted) }
            guard attempt < Self.maxSuiteAttempts else {
                return .stop(.failed("cannot read the suite after \(attempt) attempts: \(error)"))
            }
            let delay = Self.suiteBackoff.delay(attempt: attempt, random: .random(in: 0..<1))
            logger.warning(
                "cannot read the suite; retrying",
                [
                    "suite": "\(settings.namespace)/\(settings.suite)", "attempt": String(attempt),
                    "retryInMs": String(Int(delay.inMilliseconds)), "error": "\(error)",
                ])
            do {
                try await Task.sleep(for: delay)
            } catch {
                return .stop(.cancelled)
            }
        }
    }

    /// The run's first aggregates, once the run exists in Redis; `nil` if cancelled first.
    private func waitForRun(_ queue: RedisWorkQueue, outages: OutageLog) async -> RunAggregates? {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let aggregates = try await queue.aggregates()
                outages.succeeded()
                if let aggregates { return aggregates }
                if attempt == 1 { logger.info("waiting for the run to be seeded in Redis", fields) }
            } catch {
                outages.failed(error)
            }
            do {
                try await Task.sleep(for: Self.runBackoff.delay(attempt: attempt, random: .random(in: 0..<1)))
            } catch {
                return nil
            }
        }
        return nil
    }
}
