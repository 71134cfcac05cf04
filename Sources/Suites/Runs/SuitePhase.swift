import AssayCore

/// Where a suite's run is in its life: one life cycle that the evaluators keep in Redis (from
/// `Seeding` on) and the operator writes on the resource (from `Pending` on, plus `Invalid`).
/// Every move is made by ``SuitePhaseMachine``, so the local runner, the evaluator API and the
/// operator's status agree on them.
///
/// ```
/// pending ──childrenReady──▶ running          seeding ──seeded──▶ running
/// running ──progressed, every case done──▶ succeeded (threshold met) | failed
/// any but final ──specInvalid──▶ invalid ──specChanged──▶ pending (specChanged restarts any phase)
/// pending, seeding, running ──cancelled──▶ cancelled
/// ```
public enum SuitePhase: String, Sendable, Hashable, CaseIterable {
    /// Accepted by the operator; children and the run are being created.
    case pending = "Pending"
    /// The run exists in Redis; its cases are being added to the queue.
    case seeding = "Seeding"
    /// Evaluators are working through the cases.
    case running = "Running"
    /// Every case has a result and every target's pass rate meets `passThreshold`.
    case succeeded = "Succeeded"
    /// Every case has a result and some target's pass rate is below `passThreshold`.
    case failed = "Failed"
    /// The suite was deleted or edited; the run's remaining cases are abandoned.
    case cancelled = "Cancelled"
    /// The spec cannot be run (e.g. its dataset ConfigMap is missing); fixing it starts over.
    case invalid = "Invalid"

    /// The phases an `EvaluationSuite`'s status shows (the CRD's enum): the operator never feeds
    /// `seeded` or `cancelled`, which belong to the run in Redis.
    public static let resourcePhases: [SuitePhase] = [.pending, .running, .succeeded, .failed, .invalid]

    /// Only `specChanged` moves a final phase.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }

    /// What happened to the suite or its run.
    public enum Event: Sendable, Hashable {
        /// The operator's children exist.
        case childrenReady
        /// Every case is queued.
        case seeded
        /// `completed` of `total` cases have results; `meetsThreshold` is the gate: every target's
        /// pass rate reaches `passThreshold` (``RunVerdict``'s rule).
        case progressed(completed: Int, total: Int, meetsThreshold: Bool)
        case specInvalid
        /// A new `metadata.generation`: the spec changed, so the suite runs again.
        case specChanged
        /// The suite was deleted or edited under the run.
        case cancelled
        /// The evaluators' preflight found a provider that cannot be called (a missing Secret key):
        /// the run ends before any case runs.
        case preflightFailed
        /// The run's `spec.budget` is spent: no new case starts and the run ends.
        case budgetExceeded
    }

    /// The phase a run's stored counters imply: the events folded from `.seeding`.
    public static func derive(
        seeded: Bool, recorded: Int, total: Int, meetsThreshold: Bool, cancelled: Bool, budgetExceeded: Bool = false
    ) -> SuitePhase {
        var events: [Event] = seeded ? [.seeded] : []
        events.append(.progressed(completed: recorded, total: total, meetsThreshold: meetsThreshold))
        if cancelled { events.append(.cancelled) }
        if budgetExceeded { events.append(.budgetExceeded) }
        return SuitePhaseMachine().run(events, from: .seeding).last?.state ?? .seeding
    }
}

/// The phase's rules as a ``StateMachine``. No event depends on time, so events carry no instant;
/// the one effect says which phase was entered, for the driver's Kubernetes events and times.
public struct SuitePhaseMachine: StateMachine {
    public enum Effect: Sendable, Hashable {
        case entered(SuitePhase)
    }

    public init() {}

    public var initial: SuitePhase { .pending }

    public func transition(_ state: SuitePhase, _ event: SuitePhase.Event)
        -> (state: SuitePhase, effects: [Effect])
    {
        let next = nextPhase(state, event)
        return (next, next == state ? [] : [.entered(next)])
    }

    private func nextPhase(_ state: SuitePhase, _ event: SuitePhase.Event) -> SuitePhase {
        switch (state, event) {
        case (_, .specChanged): .pending
        case (.succeeded, _), (.failed, _), (.cancelled, _): state
        case (_, .specInvalid): .invalid
        case (.invalid, _): state
        case (_, .cancelled): .cancelled
        case (_, .preflightFailed), (_, .budgetExceeded): .failed
        case (.pending, .childrenReady), (.pending, .seeded), (.seeding, .seeded): .running
        case (.pending, .progressed(let completed, let total, let meets)),
            (.running, .progressed(let completed, let total, let meets)):
            // A dataset has at least one case, so a total of 0 means no progress is known yet.
            total > 0 && completed >= total ? (meets ? .succeeded : .failed) : .running
        case (.running, _), (.seeding, _): state
        }
    }
}
