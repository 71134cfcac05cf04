/// Where a run is in its life. Transitions are a pure function of the phase and an event, so the
/// local runner, the evaluator API and the operator's status agree on them.
public enum RunPhase: String, Sendable, Hashable, CaseIterable {
    /// The run exists; its cases are being added to the queue.
    case seeding = "Seeding"
    /// Every case is queued; results are coming in.
    case running = "Running"
    /// Every case has a result and every target's pass rate meets the threshold.
    case succeeded = "Succeeded"
    /// Every case has a result and some target's pass rate is below the threshold.
    case failed = "Failed"
    /// The suite was deleted or edited; its remaining cases are abandoned.
    case cancelled = "Cancelled"

    public enum Event: Sendable, Hashable {
        case seeded
        /// Results now cover `recorded` of `total` cases.
        case progressed(recorded: Int, total: Int, meetsThreshold: Bool)
        case cancelled
    }

    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }

    /// The phase after `event`; final phases never change.
    public func applying(_ event: Event) -> RunPhase {
        if isFinal { return self }
        switch (self, event) {
        case (_, .cancelled): return .cancelled
        case (.seeding, .seeded): return .running
        case (.running, .progressed(let recorded, let total, let meets)) where recorded >= total:
            return meets ? .succeeded : .failed
        default: return self
        }
    }

    /// The phase a run's stored counters imply (the events folded from `.seeding`).
    public static func derive(
        seeded: Bool, recorded: Int, total: Int, meetsThreshold: Bool, cancelled: Bool
    ) -> RunPhase {
        var phase = RunPhase.seeding
        if seeded { phase = phase.applying(.seeded) }
        phase = phase.applying(.progressed(recorded: recorded, total: total, meetsThreshold: meetsThreshold))
        if cancelled { phase = phase.applying(.cancelled) }
        return phase
    }
}
