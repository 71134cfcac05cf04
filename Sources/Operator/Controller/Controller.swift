import AssayCore
import AssayKube
import AssayRedis
import Suites
import Synchronization

/// Watches EvaluationSuites and the objects they own, and reconciles each changed suite on a
/// pool of workers through one ``ControllerQueue`` (controller-runtime's controller): an event on
/// a Deployment, Service or autoscaler reconciles the suite that owns it; failures come back with
/// per-key backoff; a periodic resync re-reads every suite as a safety net.
final class Controller: Sendable {
    struct Configuration: Sendable {
        /// Suites reconciled at once; the queue still never gives one suite to two workers. A
        /// reconcile mostly waits on the API server and Redis, so workers are cheap: with 4, 500
        /// suites applied at once waited 6 s (p99) for their Deployments, with 16, 0.2 s
        /// (bench/operator, client limit lifted). (Our choice.)
        static let defaultWorkers = 16
        /// controller-runtime's default SyncPeriod is 10 hours; we re-read every 10 minutes, which
        /// costs no API request (the caches answer) and bounds how long a missed change can hide.
        static let defaultResyncPeriod = Duration.seconds(600)
        /// How often Redis is checked for lost data (``RedisDataMark``); zero turns the check off.
        static let defaultRedisCheckInterval = RedisDataMark.defaultInterval

        /// `nil` watches every namespace.
        var namespace: String?
        var workers = defaultWorkers
        var resyncPeriod = defaultResyncPeriod
        var redisCheckInterval = defaultRedisCheckInterval
    }

    /// The label every child carries, which the owned-object watches select on.
    static let managedSelector = "app.kubernetes.io/managed-by=assay-operator"

    let client: KubeClient
    let configuration: Configuration
    let caches: Reconciler.Caches
    let queue: ControllerQueue
    let metrics: OperatorMetrics
    let logger: Logger
    private let makeReconciler: @Sendable (Reconciler.Caches) -> Reconciler

    init(
        client: KubeClient, configuration: Configuration, metrics: OperatorMetrics, logger: Logger,
        clock: any MonotonicClock = SystemClock(), makeReconciler: @escaping @Sendable (Reconciler.Caches) -> Reconciler
    ) {
        self.client = client
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.makeReconciler = makeReconciler
        caches = Reconciler.Caches(
            suites: ObjectCache(projection: CachedFields.suite),
            deployments: ObjectCache(projection: CachedFields.child),
            services: ObjectCache(projection: CachedFields.child),
            autoscalers: ObjectCache(projection: CachedFields.child))
        queue = ControllerQueue(clock: clock)
    }

    /// Whether every watch has delivered its first list.
    var isSynced: Bool {
        [caches.suites, caches.deployments, caches.services, caches.autoscalers].allSatisfy(\.isSynced)
    }

    /// Runs until the calling task is cancelled.
    func run() async {
        let reconciler = makeReconciler(caches)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watch(.evaluationSuite, into: self.caches.suites, selector: nil) }
            for (kind, cache) in [
                (ResourceKind.deployment, caches.deployments), (.service, caches.services),
                (.horizontalPodAutoscaler, caches.autoscalers),
            ] {
                group.addTask { await self.watch(kind, into: cache, selector: Self.managedSelector) }
            }
            for _ in 0..<configuration.workers {
                group.addTask { await self.work(reconciler) }
            }
            group.addTask { await self.resync() }
            if configuration.redisCheckInterval > .zero {
                group.addTask { await self.watchRedisData(reconciler) }
            }
            // Runs until cancelled; then every child task ends and the queue stops.
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: {
                Task { await self.queue.shutdown() }
            }
        }
    }

    private func watch(_ kind: ResourceKind, into cache: ObjectCache, selector: String?) async {
        let watcher = Watcher(
            client: client, kind: kind, namespace: configuration.namespace,
            configuration: WatcherConfiguration(labelSelector: selector), logger: logger)
        let lists = Atomic<Int>(0)
        let restarts = metrics.watchRestarts.labels(kind.description)
        do {
            try await Reflector(watcher: watcher, cache: cache).run { event in
                switch event {
                case .synced:
                    if lists.add(1, ordering: .relaxed).newValue > 1 { restarts.inc() }
                    if kind == .evaluationSuite {
                        for key in cache.keys() { await self.enqueue(key) }
                    }
                case .added(let object), .modified(let object), .deleted(let object):
                    if kind == .evaluationSuite {
                        await self.enqueue(object.key)
                    } else if let owner = Self.owner(of: object) {
                        await self.enqueue(owner)
                    }
                }
            }
        } catch {
            // Only cancellation ends a watcher.
        }
    }

    /// The suite that controls `object`, from its controller ownerReference.
    static func owner(of object: KubeObject) -> ObjectKey? {
        object.ownerReferences.first { $0.controller && $0.kind == EvaluationSuite.kind }
            .map { ObjectKey(namespace: object.namespace, name: $0.name) }
    }

    private func enqueue(_ key: ObjectKey, deferred: Bool = false) async {
        await queue.add(key, deferred: deferred)
        metrics.queueDepth.set(Double(await queue.depth))
    }

    private func work(_ reconciler: Reconciler) async {
        // Reconcile from complete caches only, as controller-runtime waits for cache sync.
        while !isSynced, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
        while let key = await queue.next() {
            let start = ContinuousClock.now
            var result = "success"
            do {
                switch try await reconciler.reconcile(key) {
                case .done:
                    await queue.forget(key)
                case .requeue(let delay):
                    result = "requeue"
                    await queue.forget(key)
                    await queue.add(key, after: delay)
                }
            } catch {
                result = "error"
                let delay = await queue.addRateLimited(key)
                if error is RedisError {
                    reconciler.redisOutages.failed(error)
                } else {
                    logger.warning(
                        "reconcile failed; retrying",
                        ["suite": key.description, "error": "\(error)", "retryInMs": "\(Int(delay.inMilliseconds))"])
                }
            }
            let elapsed = ContinuousClock.now - start
            metrics.reconciles.labels(result).inc()
            metrics.reconcileDuration.labels(result).observe(
                elapsed.inSeconds)
            await queue.done(key)
            metrics.queueDepth.set(Double(await queue.depth))
        }
    }

    /// Reconciles every suite again when Redis lost its data, whatever changed on the API server
    /// (nothing, typically): a run that stands still is otherwise not read again (``RedisDataMark``).
    private func watchRedisData(_ reconciler: Reconciler) async {
        var mark = RedisDataMark(redis: reconciler.redis)
        while !Task.isCancelled {
            // A Redis that does not answer is the reconciles' to report (their OutageLog).
            if isSynced, (try? await mark.lostSinceLastCheck()) == true {
                logger.warning(
                    "Redis lost its data (flushed, or restarted without persistence); reconciling every suite",
                    ["redis": "\(reconciler.redis.configuration.url)"])
                reconciler.forgetSettled()
                for key in caches.suites.keys() { await enqueue(key) }
            }
            do {
                try await Task.sleep(for: configuration.redisCheckInterval)
            } catch {
                return
            }
        }
    }

    private func resync() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.resyncPeriod)
            } catch {
                return
            }
            for key in caches.suites.keys() { await enqueue(key, deferred: true) }
        }
    }
}
