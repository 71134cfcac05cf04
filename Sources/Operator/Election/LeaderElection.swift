/// Leader election over a coordination.k8s.io Lease, as a pure state machine: the caller reads
/// the Lease, asks ``decide(lease:now:)`` what to do, performs the write, and reports the outcome
/// with ``step(_:now:)``. Times are durations since a fixed origin on the caller's monotonic
/// clock (``KubeClock``), so tests drive it with plain numbers.
struct LeaderElection: Sendable, Hashable {
    struct Configuration: Sendable, Hashable {
        /// controller-runtime's defaults: a Lease is held for 15 s...
        static let defaultLeaseDuration = Duration.seconds(15)
        /// ...the leader must renew within 10 s or step down...
        static let defaultRenewDeadline = Duration.seconds(10)
        /// ...and every candidate and leader retries every 2 s.
        static let defaultRetryPeriod = Duration.seconds(2)

        var leaseDuration = defaultLeaseDuration
        var renewDeadline = defaultRenewDeadline
        var retryPeriod = defaultRetryPeriod
    }

    enum Role: Sendable, Hashable {
        /// Another holder's Lease is live; watch it until it expires.
        case follower(holder: String)
        /// No live holder is known; trying to acquire.
        case candidate
        /// Holding the Lease since the last successful renewal at `renewedAt`.
        case leader(renewedAt: Duration)
    }

    /// The Lease as read from the API server.
    struct Lease: Sendable, Hashable {
        var holder: String?
        /// When this process last saw `holder` or its renew time change (observed locally, as
        /// client-go does, so clock skew between nodes does not matter).
        var observedAt: Duration
    }

    enum Action: Sendable, Hashable {
        /// Write the Lease with us as holder (create, take over, or renew).
        case acquire
        /// Nothing to write; check again after `retryPeriod`.
        case wait
    }

    /// What happened to the last attempt, or what was observed.
    enum Event: Sendable, Hashable {
        case observed(Lease)
        case acquired
        case acquireFailed
    }

    let identity: String
    let configuration: Configuration
    private(set) var role: Role = .candidate

    init(identity: String, configuration: Configuration = Configuration()) {
        self.identity = identity
        self.configuration = configuration
    }

    var isLeader: Bool {
        if case .leader = role { return true }
        return false
    }

    /// Whether `lease` is held by someone else and not yet expired at `now`.
    func heldByOther(_ lease: Lease, now: Duration) -> Bool {
        guard let holder = lease.holder, !holder.isEmpty, holder != identity else { return false }
        return now < lease.observedAt + configuration.leaseDuration
    }

    /// What to do with the Lease as read at `now`.
    func decide(lease: Lease, now: Duration) -> Action {
        heldByOther(lease, now: now) ? .wait : .acquire
    }

    /// The role after `event` at `now`. A leader that has not renewed within `renewDeadline`
    /// steps down to candidate (its process should then stop reconciling and exit, as
    /// controller-runtime's managers do).
    mutating func step(_ event: Event, now: Duration) {
        switch (role, event) {
        case (_, .observed(let lease)) where heldByOther(lease, now: now):
            role = .follower(holder: lease.holder ?? "")
        case (.follower, .observed):
            role = .candidate
        case (_, .observed):
            break
        case (_, .acquired):
            role = .leader(renewedAt: now)
        case (.leader(let renewedAt), .acquireFailed):
            if now - renewedAt >= configuration.renewDeadline { role = .candidate }
        case (_, .acquireFailed):
            break
        }
    }

    /// The leader's renewal is overdue at `now`: it must stop acting as leader.
    func renewalExpired(now: Duration) -> Bool {
        if case .leader(let renewedAt) = role { return now - renewedAt >= configuration.renewDeadline }
        return false
    }
}
