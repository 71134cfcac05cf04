/// Says once that a dependency became unreachable and once that it is back, however many
/// retries fail in between: a pod that retries Redis with backoff for an hour logs two lines, not
/// one per attempt. Shared by every loop of a process that talks to the dependency, so that
/// concurrent retries do not each announce the same outage.
public final class OutageLog: Sendable {
    private struct State {
        var since: ContinuousClock.Instant?
        var failures = 0
    }

    private let dependency: String
    private let logger: Logger
    private let state = Guarded(State())

    /// - Parameter dependency: what is unreachable, as users know it (`Redis at redis://host:6379`).
    public init(_ dependency: String, logger: Logger) {
        self.dependency = dependency
        self.logger = logger
    }

    /// Whether an outage is going on (a failure with no success since).
    public var isDown: Bool { state.withLock { $0.since != nil } }

    /// Failed attempts of the outage going on (0 when none is).
    public var failures: Int { state.withLock { $0.failures } }

    /// A failed attempt: the first of an outage is logged as a warning, the rest are counted.
    public func failed(_ error: any Error) {
        let first = state.withLock { state in
            state.failures += 1
            guard state.since == nil else { return false }
            state.since = .now
            return true
        }
        if first {
            logger.warning(
                "\(dependency) is unreachable; retrying with backoff, and saying so again once it is back",
                ["error": "\(error)"])
        }
    }

    /// A successful attempt: ends an outage, logging how long it lasted and how many attempts failed.
    public func succeeded() {
        let ended: (Duration, Int)? = state.withLock { state in
            guard let since = state.since else { return nil }
            defer { state = State() }
            return (.now - since, state.failures)
        }
        if let (duration, failures) = ended {
            logger.info(
                "\(dependency) is reachable again",
                ["outageMs": String(Int(duration.inMilliseconds)), "failedAttempts": String(failures)])
        }
    }
}
