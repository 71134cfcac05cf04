import AssayCore
import AssayKube

/// The reconciler's queue as a task-safe object: ``ReconcileQueueMachine``'s rules (dedupe, one
/// worker per key, per-key backoff under an overall rate limit) on the ``MonotonicClock``, with
/// ``next()`` suspending workers until a key is ready instead of polling.
///
/// A ready key goes straight to the worker that has waited longest, and one timer stands for the
/// earliest waiting key: an event costs one step of the machine and at most one wake-up, however
/// many workers and keys there are (waking every worker on every event, each to look for a key and
/// set a timer of its own, cost the idle operator CPU in proportion to the suites).
actor ControllerQueue {
    private let machine: ReconcileQueueMachine<ObjectKey>
    private var state: ReconcileQueueMachine<ObjectKey>.State
    private let clock: any MonotonicClock
    /// Suspended ``next()`` calls in arrival order, each resumed with a key (or nil at shutdown).
    private var waiters: [(id: Int, continuation: CheckedContinuation<ObjectKey?, Never>)] = []
    private var nextWaiter = 0
    /// The one timer, for the earliest waiting key while a worker waits.
    private var timer: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)?
    private var shutDown = false

    init(configuration: ReconcileQueueConfiguration = ReconcileQueueConfiguration(), clock: any MonotonicClock) {
        machine = ReconcileQueueMachine(configuration: configuration)
        state = machine.initial
        self.clock = clock
    }

    /// Keys waiting or being reconciled (the queue depth metric).
    var depth: Int { state.depth }

    /// Workers suspended in ``next()``.
    var waitingWorkers: Int { waiters.count }

    /// Queues `key` now; `deferred` (a resync) lets every ready prompt key go first.
    func add(_ key: ObjectKey, deferred: Bool = false) {
        apply(.add(key, readyAt: clock.now, deferred: deferred))
    }

    /// Queues `key` to look at it again after `delay` (a progress read): deferred, so that it goes
    /// after every ready prompt key (a change) however overdue it is.
    func add(_ key: ObjectKey, after delay: Duration) {
        apply(.add(key, readyAt: clock.now + delay, deferred: true))
    }

    /// Queues `key` again after its backoff; returns the delay.
    @discardableResult
    func addRateLimited(_ key: ObjectKey) -> Duration {
        for case .retryIn(let delay) in apply(.retry(key, at: clock.now)) { return delay }
        return .zero
    }

    func forget(_ key: ObjectKey) { _ = machine.step(&state, .forget(key)) }

    func done(_ key: ObjectKey) {
        apply(.done(key))
    }

    /// Stops handing out keys; suspended and later ``next()`` calls return nil.
    func shutdown() {
        shutDown = true
        timer?.task.cancel()
        timer = nil
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.continuation.resume(returning: nil) }
    }

    /// The next ready key, marked as processing; nil once the queue is shut down or the calling
    /// task is cancelled.
    func next() async -> ObjectKey? {
        guard !shutDown, !Task.isCancelled else { return nil }
        if waiters.isEmpty, let key = handOut() { return key }
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ObjectKey?, Never>) in
                waiters.append((id, continuation))
                dispatch()
            }
        } onCancel: {
            Task { [weak self] in await self?.cancelWaiter(id) }
        }
    }

    /// Steps the machine and hands out what became ready; the effects.
    @discardableResult
    private func apply(_ event: ReconcileQueueMachine<ObjectKey>.Event) -> [ReconcileQueueMachine<ObjectKey>.Effect] {
        let effects = machine.step(&state, event)
        dispatch()
        return effects
    }

    private func handOut() -> ObjectKey? {
        for case .handOut(let key) in machine.step(&state, .next(at: clock.now)) { return key }
        return nil
    }

    /// Gives ready keys to waiting workers, longest-waiting first; then sets the timer for the
    /// earliest key still waiting, if a worker is left to take it.
    private func dispatch() {
        guard !shutDown else { return }
        while !waiters.isEmpty, let key = handOut() {
            waiters.removeFirst().continuation.resume(returning: key)
        }
        guard !waiters.isEmpty, let deadline = state.nextReadyTime else { return }
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        let clock = self.clock
        timer = (
            deadline,
            Task { [weak self] in
                guard (try? await clock.sleep(until: deadline)) != nil else { return }
                await self?.timerFired(deadline)
            }
        )
    }

    private func timerFired(_ deadline: ContinuousClock.Instant) {
        if timer?.deadline == deadline { timer = nil }
        dispatch()
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }
}
