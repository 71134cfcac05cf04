/// Where a suite is in its life. The operator moves it only through ``next(on:)``, so every
/// allowed move is in one table that the tests read in full.
enum SuitePhase: String, Sendable, Hashable, CaseIterable {
    /// Accepted; children and the run are being created.
    case pending = "Pending"
    /// Evaluators are working through the cases.
    case running = "Running"
    /// Every case is done and the pass rate met `passThreshold`.
    case succeeded = "Succeeded"
    /// Every case is done and the pass rate fell short.
    case failed = "Failed"
    /// The spec cannot be run (e.g. its dataset ConfigMap is missing); fixing it starts over.
    case invalid = "Invalid"

    /// What the reconciler observed.
    enum Event: Sendable, Hashable {
        case childrenReady
        /// `completed` of `total` cases have results; `meetsThreshold` is the gate: every target's
        /// pass rate reaches `passThreshold` (the rule `assay-evaluator run`'s exit status uses).
        case progressed(completed: Int, total: Int, meetsThreshold: Bool)
        case specInvalid
        /// A new `metadata.generation`: the spec changed, so the suite runs again.
        case specChanged
    }

    var isTerminal: Bool { self == .succeeded || self == .failed }

    /// The phase after `event`; `self` when the event does not move it.
    func next(on event: Event) -> SuitePhase {
        switch (self, event) {
        case (_, .specChanged): .pending
        case (.succeeded, _), (.failed, _): self
        case (_, .specInvalid): .invalid
        case (.invalid, _): self
        case (.pending, .childrenReady): .running
        case (.running, .childrenReady): .running
        case (.pending, .progressed(let completed, let total, let meets)),
            (.running, .progressed(let completed, let total, let meets)):
            total > 0 && completed >= total ? (meets ? .succeeded : .failed) : .running
        }
    }
}
