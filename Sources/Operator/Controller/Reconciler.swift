import AssayCore
import AssayKube
import AssayRedis
import Suites

/// Brings one `EvaluationSuite` to its desired state: finalizer, run seeded in Redis, children
/// server-side applied (or scaled down, or removed), status and events — deciding with
/// ``StatusPlanner`` and doing the I/O around it. Reads come from the watch caches; an unchanged
/// suite costs no API request at all.
final class Reconciler: Sendable {
    /// The field manager of every apply, so users' and other controllers' fields are left alone.
    static let fieldManager = "assay-operator"
    /// The consumer name the operator uses on a run's queue (it only seeds, cancels and reads).
    static let consumer = "assay-operator"

    /// What to do with the key after a reconcile.
    enum Outcome: Sendable, Hashable {
        case done
        case requeue(after: Duration)
    }

    struct Caches: Sendable {
        var suites: ObjectCache
        var deployments: ObjectCache
        var services: ObjectCache
        var autoscalers: ObjectCache
    }

    let client: KubeClient
    let caches: Caches
    let redis: RedisClient
    let config: OperatorConfig
    let recorder: EventRecorder
    let logger: Logger
    let wallClock: @Sendable () -> Double
    /// Redis outages, told once when they start and once when they end, however many reconciles
    /// fail meanwhile (the controller reports a reconcile's Redis failure here instead of a line).
    let redisOutages: OutageLog
    let loader: SuiteLoader
    /// What the reconciler keeps between reconciles of one suite.
    struct Remembered: Sendable {
        /// Breakers already reported open, so each opening is one Event.
        var openBreakers: Set<String> = []
        /// The last progress read of a running suite and the wait before the next read.
        var poll: ProgressPoll?
        /// The versions at the last reconcile that found the children as wanted.
        var children: ChildrenSeen?
        /// The versions at the last reconcile that changed nothing and left nothing to watch
        /// (no live evaluators of a running run): until one of them moves, a reconcile has
        /// nothing to read or do, so it returns at once (resyncs and stalled runs cost no Redis
        /// read and no spec decode).
        var settled: SuiteVersions?
        /// The decoded spec of the generation whose progress is being read on a timer, so that
        /// each read does not decode it again (kept only while reading: a decoded suite holds its
        /// inline cases a second time).
        var spec: (uid: String, generation: Int, suite: EvaluationSuite)?
        /// The suite's resourceVersions that the last reconcile's writes to it replaced. While the
        /// cache still holds one of them, it is behind our own write: a reconcile would plan from it what was
        /// just written and meet a 409, so it waits for the write's watch event instead (a burst of
        /// applies then costs one status write per suite, not one and a third).
        var superseded: Set<String> = []
    }

    let memory = Guarded<[ObjectKey: Remembered]>([:])

    /// Forgets which suites were settled, so that the next reconcile of each reads Redis again
    /// (after Redis lost its data: a settled suite's run may be gone).
    func forgetSettled() {
        memory.withLock { memory in
            for key in memory.keys { memory[key]?.settled = nil }
        }
    }

    init(
        client: KubeClient, caches: Caches, redis: RedisClient, config: OperatorConfig, recorder: EventRecorder,
        logger: Logger, wallClock: @escaping @Sendable () -> Double
    ) {
        self.client = client
        self.caches = caches
        self.redis = redis
        self.config = config
        self.recorder = recorder
        self.logger = logger
        self.wallClock = wallClock
        redisOutages = OutageLog("Redis at \(redis.configuration.url)", logger: logger)
        loader = SuiteLoader(client: client)
    }

    func reconcile(_ key: ObjectKey) async throws -> Outcome {
        let versions = SuiteVersions(of: key, caches: caches)
        if versions.suite != nil, memory.withLock({ $0[key]?.settled }) == versions { return .done }
        guard var object = caches.suites.get(key) else {
            memory.withLock { $0[key] = nil }
            return .done
        }
        if let version = object.resourceVersion, memory.withLock({ $0[key]?.superseded.contains(version) == true }) {
            return .done
        }
        if object.deletionTimestamp != nil {
            try await finalize(object)
            return .done
        }
        // A new suite's Deployment goes first: its pods take longest to come up, and it needs
        // no finalizer (its ownerReference lets the garbage collector remove it). The finalizer
        // must come before any run data in Redis, so it follows.
        var early: KubeObject?
        // Whether this reconcile wrote anything (to the API or Redis) or must come back.
        var changed = false
        // The suite's versions this reconcile's writes to it replaced.
        var superseded: Set<String> = []
        if !object.finalizers.contains(OperatorConfig.finalizer) {
            changed = true
            early = try await applyNewDeployment(object)
            // Carry on with the patched object: the suite's children come one queue pass sooner.
            // A stale cache (409, or the test op failing) is retried when its watch event arrives.
            guard let patched = try await addFinalizer(object) else { return .done }
            if let version = object.resourceVersion { superseded.insert(version) }
            object = patched
        }
        guard let uid = object.uid, let generation = object.generation else { return .done }
        let current = SuiteStatus(json: object["status"])
        let runID = RunID.resource(uid: uid, generation: generation)
        let queue = queue(for: runID)
        let now = KubeTimestamp.format(wallClock())

        var input = StatusPlanner.Input(
            current: current, generation: generation, runID: runID.rawValue, validity: .valid(total: 0),
            progress: nil, meetsThreshold: false, resultsURL: config.resultsURL(run: runID.rawValue),
            knownOpenBreakers: memory.withLock { $0[key]?.openBreakers ?? [] }, now: now,
            preflightFailure: current.conditions.first {
                $0.type == PreflightCondition.type && $0.status == .isFalse && $0.observedGeneration == generation
            }?.message)
        var retry: Duration?
        var suite: EvaluationSuite?
        let decoding: Result<EvaluationSuite, SuiteLoader.Invalid>
        if let memo = memory.withLock({ $0[key]?.spec }), memo.uid == uid, memo.generation == generation {
            decoding = .success(memo.suite)
        } else {
            decoding = loader.decode(object)
        }
        switch decoding {
        case .failure(let invalid):
            input.validity = .invalid(invalid.message)
        case .success(let decoded):
            suite = decoded
            input.validity = .valid(total: current.run.counts.total)
            // A finished run stays finished: nothing in Redis can change its status.
            guard !(current.phase.isFinal && current.runID == runID.rawValue) else { break }
            var aggregates = try await queue.aggregates()
            redisOutages.succeeded()
            if aggregates == nil || aggregates?.phase == .seeding {
                switch try await loader.cases(of: decoded) {
                case .failure(let invalid):
                    input.validity = .invalid(invalid.message)
                    retry = invalid.retryAfter
                case .success(let cases):
                    switch loader.targets(of: decoded, cases: cases) {
                    case .failure(let invalid):
                        input.validity = .invalid(invalid.message)
                    case .success(let targets):
                        changed = true
                        try await queue.prepare(
                            RunPlan(
                                id: runID, suiteName: decoded.metadata.name, cases: cases, targets: targets,
                                criteria: decoded.spec.criterionNames, passThreshold: decoded.spec.passThreshold,
                                repeats: decoded.spec.repeats, budget: decoded.spec.budget, gate: decoded.spec.gate,
                                confidenceLevel: decoded.spec.confidenceLevel))
                        aggregates = try await queue.aggregates()
                    }
                }
            }
            if let aggregates, case .valid = input.validity {
                input.validity = .valid(total: aggregates.total)
                input.progress = SuiteProgress(aggregates, level: decoded.spec.confidenceLevel)
                input.meetsThreshold = RunVerdict.meetsThreshold(
                    aggregates.targets, passThreshold: aggregates.info.passThreshold, gate: decoded.spec.gate,
                    level: decoded.spec.confidenceLevel)
                if aggregates.budgetExceeded, let budget = aggregates.info.budget {
                    input.budgetExceeded = VerdictText.budget(budget, aggregates)
                }
                if aggregates.isComplete {
                    let verdict = try await verdict(of: decoded, aggregates: aggregates, queue: queue)
                    input.verdict = verdict
                    // A regression against spec.baseline fails the run, as it fails a local run.
                    if verdict.baseline?.regressed == true { input.meetsThreshold = false }
                }
            }
        }

        let plan = StatusPlanner.plan(input)
        if let old = plan.cancelRun, let oldID = RunID(old) {
            changed = true
            try await self.queue(for: oldID).cancel()
        }
        switch plan.children {
        case .run:
            if let suite {
                changed = try await applyChildren(suite, of: object, running: true, applied: early) || changed
            }
        case .scaledDown:
            if let suite {
                changed = try await applyChildren(suite, of: object, running: false, applied: early) || changed
            }
        case .none:
            changed = try await deleteChildren(of: object, applied: early) || changed
        }
        if plan.status != current {
            changed = true
            // Planned from the cached copy: the resourceVersion precondition refuses the write if
            // the cache was behind (our own last write not seen yet), so a status is never planned
            // twice and its events never recorded twice. The newer version's watch event retries.
            var patch = plan.status.mergePatch.objectValue ?? JSONObject()
            patch["metadata"] = ["resourceVersion": .string(object.resourceVersion ?? "")]
            if case .conflict = try await writeStatus(key, .merge(.object(patch))) { return .done }
            if let version = object.resourceVersion { superseded.insert(version) }
        }
        for event in plan.events { await recorder.record(event, about: object) }
        // A running run's progress is read again on a timer only while evaluators are ready to make
        // it: without them nothing can move it, and their Deployment becoming ready is an event.
        let poll = plan.pollAgain && Self.evaluatorsReady(caches.deployments.get(Self.childKey(of: key)) ?? early)
        let settled = !changed && plan.events.isEmpty && !poll && retry == nil
        let completed = plan.status.run.counts.completed
        let pollDelay = memory.withLock { memory in
            var remembered = memory[key] ?? Remembered()
            remembered.openBreakers = plan.openBreakers
            remembered.settled = settled ? versions : nil
            remembered.superseded = superseded
            remembered.spec = poll ? suite.map { (uid, generation, $0) } : nil
            if poll {
                var poll = remembered.poll ?? ProgressPoll(completed: completed, backoff: config.progressBackoff)
                poll.observe(completed)
                remembered.poll = poll
            } else {
                remembered.poll = nil
            }
            memory[key] = remembered
            return remembered.poll?.interval
        }
        if let pollDelay { return .requeue(after: pollDelay) }
        if let retry { return .requeue(after: retry) }
        return .done
    }

    enum StatusWrite { case written, conflict }

    private func writeStatus(_ key: ObjectKey, _ patch: KubePatch) async throws -> StatusWrite {
        let outcome: Result<KubeObject, KubeError>
        do {
            outcome = .success(
                try await client.patchStatus(.evaluationSuite, name: key.name, namespace: key.namespace, patch))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success: return .written
        case .failure(let error):
            if error.isConflict { return .conflict }
            throw error
        }
    }

    func queue(for run: RunID) -> RedisWorkQueue {
        RedisWorkQueue(redis: redis, configuration: .init(run: run, consumer: Self.consumer))
    }

    /// The key of the children of the suite `suite` (Deployment, Service and autoscaler share it).
    static func childKey(of suite: ObjectKey) -> ObjectKey {
        ObjectKey(namespace: suite.namespace, name: "\(suite.name)-evaluators")
    }

    /// Whether `deployment` reports a ready evaluator pod.
    static func evaluatorsReady(_ deployment: KubeObject?) -> Bool {
        (deployment?["status"]?["readyReplicas"]?.doubleValue ?? 0) > 0
    }

    // MARK: Finalizer

    /// The suite with our finalizer, or nil when the cached copy was stale.
    private func addFinalizer(_ object: KubeObject) async throws -> KubeObject? {
        guard let name = object.name, let version = object.resourceVersion else { return nil }
        let add: JSONPatchOperation =
            object.finalizers.isEmpty
            ? .add(path: "/metadata/finalizers", value: [.string(OperatorConfig.finalizer)])
            : .add(path: "/metadata/finalizers/-", value: .string(OperatorConfig.finalizer))
        let result: Result<KubeObject, KubeError>
        do {
            result = .success(
                try await client.patch(
                    .evaluationSuite, name: name, namespace: object.namespace,
                    .json([.test(path: "/metadata/resourceVersion", value: .string(version)), add])))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let patched):
            return patched
        case .failure(let error):
            if error.isConflict || error.status?.code == 422 { return nil }
            throw error
        }
    }

    /// Cancels and deletes every run the suite ever had, then lets the resource go.
    private func finalize(_ object: KubeObject) async throws {
        guard let name = object.name, let index = object.finalizers.firstIndex(of: OperatorConfig.finalizer) else {
            return
        }
        if let uid = object.uid {
            for generation in 1...max(1, object.generation ?? 1) {
                let queue = queue(for: .resource(uid: uid, generation: generation))
                guard let aggregates = try await queue.aggregates() else { continue }
                try await queue.cancel()
                try await queue.delete(targets: aggregates.info.targets)
            }
        }
        try await ignoringConflict {
            _ = try await client.patch(
                .evaluationSuite, name: name, namespace: object.namespace,
                .json([
                    .test(path: "/metadata/finalizers/\(index)", value: .string(OperatorConfig.finalizer)),
                    .remove(path: "/metadata/finalizers/\(index)"),
                ]))
        }
        logger.info("run data removed; suite released", ["suite": object.key.description])
    }

    // MARK: Helpers

    func ignoringNotFound(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KubeError where error.isNotFound {
        }
    }

    /// A stale read: the object changed meanwhile, and its watch event reconciles again.
    private func ignoringConflict(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KubeError where error.isConflict || error.status?.code == 422 {
        }
    }
}
