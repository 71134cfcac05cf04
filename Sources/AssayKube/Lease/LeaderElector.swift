import AssayCore

/// Runs ``LeaderElectionMachine`` against a coordination.k8s.io/v1 Lease: every retry period it
/// reads the Lease, and creates, takes over or renews it when the machine says so. Leading starts
/// `lead`; a leader that cannot renew within the renew deadline cancels it at once and
/// ``run(lead:)`` returns, so the process exits and its replacement starts as a candidate.
public struct LeaderElector: Sendable {
    public let client: KubeClient
    /// The Lease's name and namespace: one Lease per installation.
    public let leaseName: String
    public let namespace: String
    public let identity: String
    public let configuration: LeaderElectionMachine.Configuration
    public let clock: any MonotonicClock
    public let wallClock: @Sendable () -> Double
    public let logger: Logger
    public let onLeadership: @Sendable (Bool) -> Void

    public init(
        client: KubeClient, leaseName: String, namespace: String, identity: String,
        configuration: LeaderElectionMachine.Configuration = .init(), clock: any MonotonicClock = SystemClock(),
        wallClock: @escaping @Sendable () -> Double, logger: Logger, onLeadership: @escaping @Sendable (Bool) -> Void
    ) {
        self.client = client
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        self.onLeadership = onLeadership
    }

    /// What ``run(lead:)`` ended with.
    public enum Ending: Sendable, Hashable {
        /// The task was cancelled (shutdown); the Lease was released.
        case cancelled
        /// Renewal failed past the deadline: another replica may lead now.
        case lostLease
    }

    /// What this replica last read of the Lease, to tell a live holder from a dead one.
    private struct Observed: Sendable {
        var holder: String?
        var renewTime: String?
        var at: ContinuousClock.Instant
    }

    public func run(lead: @escaping @Sendable () async -> Void) async -> Ending {
        let machine = LeaderElectionMachine(identity: identity, configuration: configuration)
        var state = machine.initial
        var observed = Observed(holder: nil, renewTime: nil, at: clock.now)
        var leading: Task<Void, Never>?
        defer { leading?.cancel() }
        while !Task.isCancelled {
            let now = clock.now
            var lease: KubeObject?
            var readFailed = false
            do {
                lease = try await client.get(.lease, name: leaseName, namespace: namespace)
            } catch  where error.isNotFound {
                lease = nil
            } catch {
                readFailed = true
                logger.warning("cannot read the leader Lease", ["error": "\(error)"])
            }
            var effects: [LeaderElectionMachine.Effect]
            if !readFailed {
                let holder = lease?["spec"]?["holderIdentity"]?.stringValue
                let renewTime = lease?["spec"]?["renewTime"]?.stringValue
                if holder != observed.holder || renewTime != observed.renewTime {
                    observed = Observed(holder: holder, renewTime: renewTime, at: now)
                }
                let seen = LeaderElectionMachine.Lease(holder: observed.holder, observedAt: observed.at)
                (state, effects) = machine.transition(state, .observed(seen, at: now))
                if effects.contains(.acquire) {
                    let acquired = await acquire(existing: lease)
                    let outcome = machine.transition(
                        state, acquired ? .acquired(at: clock.now) : .acquireFailed(at: clock.now))
                    state = outcome.state
                    effects += outcome.effects
                }
            } else {
                (state, effects) = machine.transition(state, .acquireFailed(at: now))
            }

            if effects.contains(.startLeading), leading == nil {
                logger.info("became the leader", ["identity": identity, "lease": "\(namespace)/\(leaseName)"])
                onLeadership(true)
                leading = Task { await lead() }
            } else if effects.contains(.stopLeading), leading != nil {
                logger.error("lost the leader Lease; stopping", ["identity": identity])
                leading?.cancel()
                await leading?.value
                onLeadership(false)
                return .lostLease
            }
            do {
                try await clock.sleep(for: configuration.retryPeriod)
            } catch {
                break
            }
        }
        if let task = leading {
            task.cancel()
            await task.value
            onLeadership(false)
            // This task is cancelled, which would cancel the release's requests: release from a
            // fresh task.
            await Task { await release() }.value
        }
        return .cancelled
    }

    /// Writes the Lease with us as holder; false when another replica wrote it first (409).
    private func acquire(existing: KubeObject?) async -> Bool {
        let now = KubeTimestamp.formatMicro(wallClock())
        let seconds = Int(configuration.leaseDuration.inSeconds.rounded(.up))
        do {
            if var lease = existing {
                var spec = lease["spec"]?.objectValue ?? JSONObject()
                let previous = spec["holderIdentity"]?.stringValue
                if previous != identity {
                    spec["acquireTime"] = .string(now)
                    let transitions = Int(spec["leaseTransitions"]?.doubleValue ?? 0)
                    spec["leaseTransitions"] = .number(
                        Double(previous == nil || previous == "" ? transitions : transitions + 1))
                }
                spec["holderIdentity"] = .string(identity)
                spec["leaseDurationSeconds"] = .number(Double(seconds))
                spec["renewTime"] = .string(now)
                lease["spec"] = .object(spec)
                _ = try await client.replace(lease, as: .lease)
            } else {
                let lease = KubeObject(
                    .lease, name: leaseName, namespace: namespace,
                    body: JSONObject([
                        (
                            "spec",
                            [
                                "holderIdentity": .string(identity), "leaseDurationSeconds": .number(Double(seconds)),
                                "acquireTime": .string(now), "renewTime": .string(now), "leaseTransitions": 0,
                            ]
                        )
                    ]))
                _ = try await client.create(lease, as: .lease)
            }
            return true
        } catch {
            if !error.isConflict && error.status?.code != 422 {
                logger.warning("cannot write the leader Lease", ["error": "\(error)"])
            }
            return false
        }
    }

    /// Gives the Lease up on shutdown so a standby takes over at once (controller-runtime's
    /// LeaderElectionReleaseOnCancel).
    private func release() async {
        guard var lease = try? await client.get(.lease, name: leaseName, namespace: namespace),
            lease["spec"]?["holderIdentity"]?.stringValue == identity
        else { return }
        var spec = lease["spec"]?.objectValue ?? JSONObject()
        spec["holderIdentity"] = .string("")
        spec["leaseDurationSeconds"] = 1
        spec["renewTime"] = .string(KubeTimestamp.formatMicro(wallClock()))
        lease["spec"] = .object(spec)
        do {
            _ = try await client.replace(lease, as: .lease)
            logger.info("released the leader Lease", ["identity": identity])
        } catch {
            logger.warning("cannot release the leader Lease", ["error": "\(error)"])
        }
    }
}
