import AssayCore

/// Leader election over a coordination.k8s.io Lease, as a state machine: the driver
/// (``LeaderElector``) reads the Lease and feeds what it saw; the machine says whether to write
/// the Lease with us as holder, and when to start or stop leading. A holder is live while its
/// renew time keeps moving as observed on our own monotonic clock (as client-go does, so clock
/// skew between nodes does not matter).
///
/// ```
/// candidate ──acquired──▶ leader ──acquire failed past the renew deadline──▶ candidate
/// candidate ──live holder seen──▶ follower ──its lease expired──▶ candidate
/// leader ──another live holder seen──▶ follower
/// ```
public struct LeaderElectionMachine: StateMachine {
    public struct Configuration: Sendable, Hashable {
        /// controller-runtime's defaults: a Lease is held for 15 s...
        public static let defaultLeaseDuration = Duration.seconds(15)
        /// ...the leader must renew within 10 s or step down...
        public static let defaultRenewDeadline = Duration.seconds(10)
        /// ...and every candidate and leader retries every 2 s.
        public static let defaultRetryPeriod = Duration.seconds(2)

        public var leaseDuration = defaultLeaseDuration
        public var renewDeadline = defaultRenewDeadline
        public var retryPeriod = defaultRetryPeriod

        public init(
            leaseDuration: Duration = defaultLeaseDuration, renewDeadline: Duration = defaultRenewDeadline,
            retryPeriod: Duration = defaultRetryPeriod
        ) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    public enum State: Sendable, Hashable {
        /// Another holder's Lease is live; watch it until it expires.
        case follower(holder: String)
        /// No live holder is known; trying to acquire.
        case candidate
        /// Holding the Lease since the last successful renewal at `renewedAt`.
        case leader(renewedAt: ContinuousClock.Instant)
    }

    /// The Lease as read from the API server.
    public struct Lease: Sendable, Hashable {
        public var holder: String?
        /// When this process last saw `holder` or its renew time change.
        public var observedAt: ContinuousClock.Instant

        public init(holder: String?, observedAt: ContinuousClock.Instant) {
            self.holder = holder
            self.observedAt = observedAt
        }
    }

    public enum Event: Sendable, Hashable {
        /// The Lease as read at `at`.
        case observed(Lease, at: ContinuousClock.Instant)
        /// Our write of the Lease succeeded at `at`.
        case acquired(at: ContinuousClock.Instant)
        /// Our write (or the read before it) failed at `at`.
        case acquireFailed(at: ContinuousClock.Instant)
    }

    public enum Effect: Sendable, Hashable {
        /// Write the Lease with us as holder (create, take over, or renew).
        case acquire
        /// Nothing to write; check again after `retryPeriod`.
        case wait
        /// We lead from now on.
        case startLeading
        /// We no longer lead: stop at once (the process then exits, as controller-runtime's
        /// managers do, and its replacement starts as a candidate).
        case stopLeading
    }

    public let identity: String
    public let configuration: Configuration

    public init(identity: String, configuration: Configuration = Configuration()) {
        self.identity = identity
        self.configuration = configuration
    }

    public var initial: State { .candidate }

    public func transition(_ state: State, _ event: Event) -> (state: State, effects: [Effect]) {
        let wasLeader = if case .leader = state { true } else { false }
        let next: State
        var effects: [Effect] = []
        switch (state, event) {
        case (_, .observed(let lease, let now)) where heldByOther(lease, now: now):
            next = .follower(holder: lease.holder ?? "")
            effects.append(.wait)
        case (.follower, .observed):
            next = .candidate
            effects.append(.acquire)
        case (_, .observed):
            next = state
            effects.append(.acquire)
        case (_, .acquired(let now)):
            next = .leader(renewedAt: now)
        case (.leader(let renewedAt), .acquireFailed(let now)) where now - renewedAt >= configuration.renewDeadline:
            next = .candidate
        case (_, .acquireFailed):
            next = state
        }
        let isLeader = if case .leader = next { true } else { false }
        if isLeader, !wasLeader { effects.append(.startLeading) }
        if wasLeader, !isLeader { effects.append(.stopLeading) }
        return (next, effects)
    }

    /// Whether `lease` is held by someone else and not yet expired at `now`.
    func heldByOther(_ lease: Lease, now: ContinuousClock.Instant) -> Bool {
        guard let holder = lease.holder, !holder.isEmpty, holder != identity else { return false }
        return now < lease.observedAt + configuration.leaseDuration
    }
}
