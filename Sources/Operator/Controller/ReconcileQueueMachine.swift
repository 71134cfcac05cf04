import AssayCore

/// The reconciler's work queue of object keys (`namespace/name`) as a state machine:
///
/// - a key is queued at most once however often it is added (dedupe);
/// - a key being reconciled is never handed out again until it is done; adds meanwhile mark it
///   to come back, and it is queued again when done;
/// - a retry waits the larger of the key's own exponential backoff and the overall retry limit
///   (a ``GCRA``), as client-go's default controller rate limiter does;
/// - forgetting a key resets its backoff after a successful reconcile;
/// - a key added as `deferred` (a timer's look again: progress reads, resyncs) is handed out only
///   when no prompt key (a change, a retry) is ready, so that a burst of new suites never waits
///   behind overdue progress reads; a prompt add makes a deferred key prompt.
///
/// ```
/// (absent) ──add / retry──▶ waiting(readyAt) ──next, once ready──▶ processing ──done──▶ (absent)
///                                                   processing ──add──▶ processing(requeueAt) ──done──▶ waiting
/// ```
///
/// Named `ReconcileQueueMachine` so it does not clash with the run ``WorkQueue`` of cases in Suites.
struct ReconcileQueueMachine<Key: Hashable & Sendable>: StateMachine {
    typealias Configuration = ReconcileQueueConfiguration

    /// Where one key is.
    enum KeyState: Sendable, Hashable {
        /// Queued; handed out at `readyAt` or later (after every ready prompt key when `deferred`).
        case waiting(readyAt: ContinuousClock.Instant, deferred: Bool = false)
        /// Handed to a worker. Added again meanwhile: queued for `requeueAt` when done.
        case processing(requeueAt: ContinuousClock.Instant?, deferred: Bool = false)
    }

    struct State: Sendable, Equatable {
        /// Every key queued or being reconciled.
        var keys: [Key: KeyState] = [:]
        /// Retries of each key since it was last forgotten.
        var failures: [Key: Int] = [:]
        /// The overall retry limit.
        var retryLimit: GCRA
        /// The waiting prompt keys by ready time; its top is always a current entry (or it is empty).
        fileprivate(set) var ready = ReadyIndex<Key>()
        /// The waiting deferred keys, likewise.
        fileprivate(set) var deferred = ReadyIndex<Key>()

        /// When the earliest waiting key becomes ready (to sleep until); nil when nothing waits.
        var nextReadyTime: ContinuousClock.Instant? {
            switch (ready.top?.readyAt, deferred.top?.readyAt) {
            case (let a?, let b?): min(a, b)
            case (let a, let b): a ?? b
            }
        }

        /// Keys waiting or being reconciled (the queue depth metric).
        var depth: Int { keys.count }

        /// Equal when the keys, backoffs and the retry limit are: the index is derived from `keys`.
        static func == (a: State, b: State) -> Bool {
            a.keys == b.keys && a.failures == b.failures && a.retryLimit == b.retryLimit
        }

        fileprivate func isCurrent(_ entry: ReadyIndex<Key>.Entry, deferred: Bool) -> Bool {
            keys[entry.key] == .waiting(readyAt: entry.readyAt, deferred: deferred)
        }
    }

    enum Event: Sendable {
        /// Queue `key` for `readyAt` (or keep an earlier time); `deferred` yields to prompt keys.
        case add(Key, readyAt: ContinuousClock.Instant, deferred: Bool = false)
        /// Queue `key` for a retry after its backoff, counted from `at`.
        case retry(Key, at: ContinuousClock.Instant)
        /// Reset `key`'s backoff (it reconciled).
        case forget(Key)
        /// A worker asks for the ready key that has waited longest.
        case next(at: ContinuousClock.Instant)
        /// A worker finished `key`.
        case done(Key)
    }

    enum Effect: Sendable, Hashable {
        /// Reconcile this key (answer to ``Event/next(at:)``).
        case handOut(Key)
        /// The retry waits this long (answer to ``Event/retry(_:at:)``).
        case retryIn(Duration)
    }

    let configuration: Configuration

    init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    var initial: State {
        State(retryLimit: GCRA(perSecond: configuration.retriesPerSecond, burst: configuration.burst))
    }

    func transition(_ state: State, _ event: Event) -> (state: State, effects: [Effect]) {
        var state = state
        let effects = step(&state, event)
        return (state, effects)
    }

    /// ``transition(_:_:)`` in place: the one transition function, which drivers call on the state
    /// they own so that an event costs O(log keys), not a copy of every key (a copy per event made
    /// the operator's idle CPU grow with the number of suites).
    func step(_ state: inout State, _ event: Event) -> [Effect] {
        switch event {
        case .add(let key, let readyAt, let deferred):
            Self.queue(key, at: readyAt, deferred: deferred, in: &state)
            return []
        case .retry(let key, let now):
            let attempt = state.failures[key, default: 0]
            state.failures[key] = attempt + 1
            let delay = max(itemDelay(attempt: attempt), state.retryLimit.take(now: now))
            Self.queue(key, at: now + delay, deferred: false, in: &state)
            return [.retryIn(delay)]
        case .forget(let key):
            state.failures[key] = nil
            return []
        case .next(let now):
            Self.dropStale(&state)
            let key: Key
            if let top = state.ready.top, top.readyAt <= now {
                key = top.key
                state.ready.popTop()
            } else if let top = state.deferred.top, top.readyAt <= now {
                key = top.key
                state.deferred.popTop()
            } else {
                return []
            }
            state.keys[key] = .processing(requeueAt: nil)
            Self.dropStale(&state)
            return [.handOut(key)]
        case .done(let key):
            if case .processing(let requeueAt, let deferred) = state.keys[key] {
                state.keys[key] = requeueAt.map { .waiting(readyAt: $0, deferred: deferred) }
                if let requeueAt { Self.index(key, at: requeueAt, deferred: deferred, in: &state) }
            }
            return []
        }
    }

    /// Per-item backoff: base × 2^attempt, capped at `maxDelay` (`attempt` counts retries from 0).
    func itemDelay(attempt: Int) -> Duration {
        configuration.backoff.ceiling(attempt: attempt + 1)
    }

    /// Queues `key` for the earlier of its times; it stays deferred only if both adds were.
    private static func queue(_ key: Key, at time: ContinuousClock.Instant, deferred: Bool, in state: inout State) {
        switch state.keys[key] {
        case .processing(let requeueAt, let wasDeferred):
            state.keys[key] = .processing(
                requeueAt: min(requeueAt ?? time, time), deferred: requeueAt == nil ? deferred : wasDeferred && deferred
            )
        case .waiting(let readyAt, let wasDeferred):
            let next = KeyState.waiting(readyAt: min(time, readyAt), deferred: wasDeferred && deferred)
            guard next != state.keys[key] else { return }
            state.keys[key] = next
            index(key, at: min(time, readyAt), deferred: wasDeferred && deferred, in: &state)
        case nil:
            state.keys[key] = .waiting(readyAt: time, deferred: deferred)
            index(key, at: time, deferred: deferred, in: &state)
        }
        // A deferred key made prompt leaves a stale entry that may be the top.
        dropStale(&state)
    }

    /// Adds `key`'s new ready time to its index; the entry it had goes stale. Rebuilds an index
    /// when stale entries outnumber the keys, so it never holds more than about twice the keys.
    private static func index(
        _ key: Key, at time: ContinuousClock.Instant, deferred: Bool, in state: inout State
    ) {
        let keys = state.keys
        let limit = 2 * keys.count + 64
        if deferred {
            state.deferred.push(key, readyAt: time)
            if state.deferred.count > limit {
                state.deferred.rebuild { keys[$0.key] == .waiting(readyAt: $0.readyAt, deferred: true) }
            }
        } else {
            state.ready.push(key, readyAt: time)
            if state.ready.count > limit {
                state.ready.rebuild { keys[$0.key] == .waiting(readyAt: $0.readyAt, deferred: false) }
            }
        }
    }

    /// Pops stale entries off the tops, so that each top is a waiting key's ready time.
    private static func dropStale(_ state: inout State) {
        while let top = state.ready.top, !state.isCurrent(top, deferred: false) { state.ready.popTop() }
        while let top = state.deferred.top, !state.isCurrent(top, deferred: true) { state.deferred.popTop() }
    }
}

/// The retry limits of a ``ReconcileQueueMachine`` (outside it: a generic type cannot hold the defaults).
struct ReconcileQueueConfiguration: Sendable, Hashable {
    /// client-go's default per-item backoff: 5 ms doubling per failure up to 1000 s.
    static let defaultBackoff = try! Backoff(base: .milliseconds(5), cap: .seconds(1000))
    /// client-go's default overall bucket: 10 retries per second with a burst of 100.
    static let defaultRetriesPerSecond = 10.0
    static let defaultBurst = 100

    var backoff = defaultBackoff
    var retriesPerSecond = defaultRetriesPerSecond
    var burst = defaultBurst
}
