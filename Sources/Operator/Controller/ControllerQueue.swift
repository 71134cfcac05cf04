import AssayKube

/// The reconciler's queue as a task-safe object: ``ReconcileQueue``'s rules (dedupe, one worker
/// per key, per-key backoff under an overall rate limit) on a ``KubeClock``, with ``next()``
/// suspending workers until a key is ready instead of polling.
actor ControllerQueue {
    private var queue: ReconcileQueue<ObjectKey>
    private let clock: any KubeClock
    /// Suspended ``next()`` calls, woken whenever the queue changes or a delay elapses.
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var shutDown = false

    init(configuration: ReconcileQueueConfiguration = ReconcileQueueConfiguration(), clock: any KubeClock) {
        queue = ReconcileQueue(configuration: configuration)
        self.clock = clock
    }

    /// Keys waiting or being reconciled (the queue depth metric).
    var depth: Int { queue.waiting.count + queue.processing.count }

    func add(_ key: ObjectKey) {
        queue.add(key, now: clock.now)
        wakeAll()
    }

    func add(_ key: ObjectKey, after delay: Duration) {
        queue.add(key, after: delay, now: clock.now)
        wakeAll()
    }

    /// Queues `key` again after its backoff; returns the delay.
    @discardableResult
    func addRateLimited(_ key: ObjectKey) -> Duration {
        let delay = queue.addRateLimited(key, now: clock.now)
        wakeAll()
        return delay
    }

    func forget(_ key: ObjectKey) { queue.forget(key) }

    func done(_ key: ObjectKey) {
        queue.done(key, now: clock.now)
        wakeAll()
    }

    /// Stops handing out keys; suspended and later ``next()`` calls return nil.
    func shutdown() {
        shutDown = true
        wakeAll()
    }

    /// The next ready key, marked as processing; nil once the queue is shut down or the calling
    /// task is cancelled.
    func next() async -> ObjectKey? {
        while !shutDown, !Task.isCancelled {
            if let key = queue.next(now: clock.now) { return key }
            await wait(until: queue.nextReadyTime)
        }
        return nil
    }

    /// Suspends until the queue changes or `deadline` passes (or the task is cancelled).
    private func wait(until deadline: Duration?) async {
        let id = nextWaiter
        nextWaiter += 1
        let clock = self.clock
        var timer: Task<Void, Never>?
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters[id] = continuation
                if let deadline {
                    let delay = max(deadline - clock.now, .zero)
                    timer = Task { [weak self] in
                        try? await clock.sleep(for: delay)
                        await self?.wake(id)
                    }
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.wake(id) }
        }
        timer?.cancel()
    }

    private func wake(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func wakeAll() {
        let pending = waiters
        waiters = [:]
        for continuation in pending.values { continuation.resume() }
    }
}
