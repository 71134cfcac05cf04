import AssayCore

/// The reconciler's work queue of object keys (`namespace/name`) as a state machine:
///
/// - a key is queued at most once however often it is added (dedupe);
/// - a key being reconciled is never handed out again until it is done; adds meanwhile mark it
///   to come back, and it is queued again when done;
/// - a retry waits the larger of the key's own exponential backoff and the overall retry limit
///   (a ``GCRA``), as client-go's default controller rate limiter does;
/// - forgetting a key resets its backoff after a successful reconcile.
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
        /// Queued; handed out at `readyAt` or later.
        case waiting(readyAt: ContinuousClock.Instant)
        /// Handed to a worker. Added again meanwhile: queued for `requeueAt` when done.
        case processing(requeueAt: ContinuousClock.Instant?)
    }

    struct State: Sendable, Equatable {
        /// Every key queued or being reconciled.
        var keys: [Key: KeyState] = [:]
        /// Retries of each key since it was last forgotten.
        var failures: [Key: Int] = [:]
        /// The overall retry limit.
        var retryLimit: GCRA
        /// The waiting keys by ready time; its top is always a current entry (or it is empty).
        fileprivate(set) var ready = ReadyIndex<Key>()

        /// When the earliest waiting key becomes ready (to sleep until); nil when nothing waits.
        var nextReadyTime: ContinuousClock.Instant? { ready.top?.readyAt }

        /// Keys waiting or being reconciled (the queue depth metric).
        var depth: Int { keys.count }

        /// Equal when the keys, backoffs and the retry limit are: the index is derived from `keys`.
        static func == (a: State, b: State) -> Bool {
            a.keys == b.keys && a.failures == b.failures && a.retryLimit == b.retryLimit
        }

        fileprivate func isCurrent(_ entry: ReadyIndex<Key>.Entry) -> Bool {
            keys[entry.key] == .waiting(readyAt: entry.readyAt)
        }
    }

    enum Event: Sendable {
        /// Queue `key` for `readyAt` (or keep an earlier time).
        case add(Key, readyAt: ContinuousClock.Instant)
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
        case .add(let key, let readyAt):
            Self.queue(key, at: readyAt, in: &state)
            return []
        case .retry(let key, let now):
            let attempt = state.failures[key, default: 0]
            state.failures[key] = attempt + 1
            let delay = max(itemDelay(attempt: attempt), state.retryLimit.take(now: now))
            Self.queue(key, at: now + delay, in: &state)
            return [.retryIn(delay)]
        case .forget(let key):
            state.failures[key] = nil
            return []
        case .next(let now):
            guard let top = state.ready.top, top.readyAt <= now else { return [] }
            state.ready.popTop()
            state.keys[top.key] = .processing(requeueAt: nil)
            Self.dropStale(&state)
            return [.handOut(top.key)]
        case .done(let key):
            if case .processing(let requeueAt) = state.keys[key] {
                state.keys[key] = requeueAt.map { .waiting(readyAt: $0) }
                if let requeueAt { Self.index(key, at: requeueAt, in: &state) }
            }
            return []
        }
    }

    /// Per-item backoff: base × 2^attempt, capped at `maxDelay` (`attempt` counts retries from 0).
    func itemDelay(attempt: Int) -> Duration {
        configuration.backoff.ceiling(attempt: attempt + 1)
    }

    private static func queue(_ key: Key, at time: ContinuousClock.Instant, in state: inout State) {
        switch state.keys[key] {
        case .processing(let requeueAt):
            state.keys[key] = .processing(requeueAt: min(requeueAt ?? time, time))
        case .waiting(let readyAt):
            guard time < readyAt else { return }
            state.keys[key] = .waiting(readyAt: time)
            index(key, at: time, in: &state)
        case nil:
            state.keys[key] = .waiting(readyAt: time)
            index(key, at: time, in: &state)
        }
    }

    /// Adds `key`'s new ready time to the index; the entry it had goes stale. Rebuilds the index
    /// when stale entries outnumber the keys, so it never holds more than about twice the keys.
    private static func index(_ key: Key, at time: ContinuousClock.Instant, in state: inout State) {
        state.ready.push(key, readyAt: time)
        if state.ready.count > 2 * state.keys.count + 64 {
            let keys = state.keys
            state.ready.rebuild { keys[$0.key] == .waiting(readyAt: $0.readyAt) }
        }
    }

    /// Pops stale entries off the top, so that the top is a waiting key's ready time.
    private static func dropStale(_ state: inout State) {
        while let top = state.ready.top, !state.isCurrent(top) { state.ready.popTop() }
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
