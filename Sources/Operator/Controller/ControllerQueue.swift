import AssayCore
import AssayKube

/// The reconciler's queue as a task-safe object: ``ReconcileQueueMachine``'s rules (dedupe, one
/// worker per key, per-key backoff under an overall rate limit) on the ``MonotonicClock``, with
/// ``next()`` suspending workers until a key is ready instead of polling.
actor ControllerQueue {
    private let machine: ReconcileQueueMachine<ObjectKey>
    private var state: ReconcileQueueMachine<ObjectKey>.State
    private let clock: any MonotonicClock
    /// Suspended ``next()`` calls, woken whenever the queue changes or a delay elapses.
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var shutDown = false

    init(configuration: ReconcileQueueConfiguration = ReconcileQueueConfiguration(), clock: any MonotonicClock) {
        machine = ReconcileQueueMachine(configuration: configuration)
        state = machine.initial
        self.clock = clock
    }

    /// Keys waiting or being reconciled (the queue depth metric).
    var depth: Int { state.depth }

    func add(_ key: ObjectKey) {
        apply(.add(key, readyAt: clock.now))
    }

    func add(_ key: ObjectKey, after delay: Duration) {
        apply(.add(key, readyAt: clock.now + delay))
    }

    /// Queues `key` again after its backoff; returns the delay.
    @discardableResult
    func addRateLimited(_ key: ObjectKey) -> Duration {
        for case .retryIn(let delay) in apply(.retry(key, at: clock.now)) { return delay }
        return .zero
    }

    func forget(_ key: ObjectKey) { apply(.forget(key)) }

    func done(_ key: ObjectKey) {
        apply(.done(key))
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
            let (next, effects) = machine.transition(state, .next(at: clock.now))
            state = next
            for case .handOut(let key) in effects { return key }
            await wait(until: state.nextReadyTime)
        }
        return nil
    }

    /// Steps the machine and wakes the waiting workers; the effects.
    @discardableResult
    private func apply(_ event: ReconcileQueueMachine<ObjectKey>.Event) -> [ReconcileQueueMachine<ObjectKey>.Effect] {
        let (next, effects) = machine.transition(state, event)
        state = next
        wakeAll()
        return effects
    }

    /// Suspends until the queue changes or `deadline` passes (or the task is cancelled).
    private func wait(until deadline: ContinuousClock.Instant?) async {
        let id = nextWaiter
        nextWaiter += 1
        let clock = self.clock
        var timer: Task<Void, Never>?
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters[id] = continuation
                if let deadline {
                    timer = Task { [weak self] in
                        try? await clock.sleep(until: deadline)
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
