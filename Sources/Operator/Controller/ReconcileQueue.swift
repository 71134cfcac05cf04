/// The reconciler's work queue of object keys (`namespace/name`), as a pure state machine on an
/// injected time (`now`, a duration since any fixed origin, as ``KubeClock`` gives it):
///
/// - a key is queued at most once however often it is added (dedupe);
/// - a key being reconciled is never handed out again until ``done(_:now:)``; adds meanwhile mark
///   it dirty and it is queued again when done;
/// - ``addRateLimited(_:now:)`` retries a key after the larger of its own exponential backoff and
///   the overall token bucket's delay, as client-go's default controller rate limiter does;
/// - ``forget(_:)`` resets a key's backoff after a successful reconcile.
///
/// Named `ReconcileQueue` so it does not clash with the run ``WorkQueue`` of cases in Common.
struct ReconcileQueue<Key: Hashable & Sendable>: Sendable {
    typealias Configuration = ReconcileQueueConfiguration

    let configuration: Configuration
    /// Keys ready or waiting, each with the time it becomes ready.
    private(set) var waiting: [Key: Duration] = [:]
    private(set) var processing: Set<Key> = []
    /// Keys added while processing: queued again at ``done(_:now:)``, at the earliest time asked.
    private var dirty: [Key: Duration] = [:]
    private(set) var failures: [Key: Int] = [:]
    /// The overall token bucket: tokens available at `bucketTime` (negative while reservations
    /// are outstanding).
    private var tokens: Double
    private var bucketTime: Duration?

    init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.tokens = Double(configuration.burst)
    }

    var isEmpty: Bool { waiting.isEmpty && processing.isEmpty && dirty.isEmpty }

    /// Queues `key` now (or keeps an earlier queued time).
    mutating func add(_ key: Key, now: Duration) { add(key, at: now) }

    /// Queues `key` after `delay`, unless it is already due sooner.
    mutating func add(_ key: Key, after delay: Duration, now: Duration) { add(key, at: now + delay) }

    /// Queues `key` for a retry after its backoff; returns the delay chosen.
    @discardableResult
    mutating func addRateLimited(_ key: Key, now: Duration) -> Duration {
        let attempt = failures[key, default: 0]
        failures[key] = attempt + 1
        let delay = max(itemDelay(attempt: attempt), reserveBucket(now: now))
        add(key, at: now + delay)
        return delay
    }

    /// Clears `key`'s failure count: its next retry starts from the base delay again.
    mutating func forget(_ key: Key) { failures[key] = nil }

    /// How many times `key` has been retried since it was last forgotten.
    func retries(_ key: Key) -> Int { failures[key, default: 0] }

    /// The ready key that has waited longest, now marked as processing; nil if none is ready.
    mutating func next(now: Duration) -> Key? {
        let ready = waiting.filter { $0.value <= now }
        guard let key = ready.min(by: { $0.value < $1.value })?.key else { return nil }
        waiting[key] = nil
        processing.insert(key)
        return key
    }

    /// When the earliest waiting key becomes ready (to sleep until), nil when nothing waits.
    var nextReadyTime: Duration? { waiting.values.min() }

    /// Ends processing of `key`; if it was added meanwhile it is queued again.
    mutating func done(_ key: Key, now: Duration) {
        processing.remove(key)
        if let time = dirty.removeValue(forKey: key) { add(key, at: time) }
    }

    /// Per-item backoff: base × 2^attempt, capped at `maxDelay`.
    func itemDelay(attempt: Int) -> Duration {
        // 2^62 × any base already exceeds any sensible cap; the clamp keeps the shift defined.
        min(configuration.baseDelay * (1 << min(max(attempt, 0), 62)), configuration.maxDelay)
    }

    private mutating func add(_ key: Key, at time: Duration) {
        if processing.contains(key) {
            dirty[key] = min(dirty[key] ?? time, time)
            return
        }
        waiting[key] = min(waiting[key] ?? time, time)
    }

    /// Takes one token, refilled at `retriesPerSecond` up to `burst`; the delay until it exists.
    private mutating func reserveBucket(now: Duration) -> Duration {
        if let last = bucketTime, now > last {
            let elapsed = (now - last) / .seconds(1)
            tokens = min(Double(configuration.burst), tokens + elapsed * configuration.retriesPerSecond)
        }
        bucketTime = max(bucketTime ?? now, now)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return .seconds(-tokens / configuration.retriesPerSecond)
    }
}

/// The retry limits of a ``ReconcileQueue`` (outside it: a generic type cannot hold the defaults).
struct ReconcileQueueConfiguration: Sendable, Hashable {
    /// client-go's default per-item backoff: 5 ms doubling per failure...
    static let defaultBaseDelay = Duration.milliseconds(5)
    /// ...up to 1000 s.
    static let defaultMaxDelay = Duration.seconds(1000)
    /// client-go's default overall bucket: 10 retries per second with a burst of 100.
    static let defaultRetriesPerSecond = 10.0
    static let defaultBurst = 100

    var baseDelay = defaultBaseDelay
    var maxDelay = defaultMaxDelay
    var retriesPerSecond = defaultRetriesPerSecond
    var burst = defaultBurst
}
