/// A case handed to one evaluator, to be recorded with ``WorkQueue/record(_:for:)``.
public struct ClaimedCase: Sendable, Hashable {
    /// The queue's handle for the delivery (a stream entry id in Redis).
    public var entryID: String
    public var suiteCase: SuiteCase
    /// Whether the case was taken over from a consumer that did not finish it in time.
    public var reclaimed: Bool

    public init(entryID: String, suiteCase: SuiteCase, reclaimed: Bool = false) {
        self.entryID = entryID
        self.suiteCase = suiteCase
        self.reclaimed = reclaimed
    }
}

/// What happened to a recorded result.
public enum RecordOutcome: Sendable, Hashable {
    /// The result is the case's one result; aggregates include it.
    case recorded
    /// Another consumer recorded this case first; this result was dropped and the delivery acknowledged.
    case duplicate
    /// The run was cancelled; nothing was recorded.
    case cancelled
}

/// The cases of one run, shared by every evaluator working on it. Recording a result and
/// acknowledging its case happen atomically, so each case ends with exactly one result however
/// often it was delivered.
public protocol WorkQueue: Sendable {
    /// Creates the run and queues its cases; idempotent, so every process may call it (seeding twice
    /// adds nothing).
    func prepare(_ plan: RunPlan) async throws
    /// Up to `max` cases for this consumer: first ones another consumer left unfinished past the
    /// visibility timeout, then new ones. Empty when nothing is claimable right now.
    func claim(max: Int) async throws -> [ClaimedCase]
    func record(_ result: CaseResult, for claimed: ClaimedCase) async throws -> RecordOutcome
    /// The live aggregates; `nil` when the run does not exist (never created, or expired).
    func aggregates() async throws -> RunAggregates?
    /// Case results in recording order.
    func results(offset: Int, limit: Int) async throws -> [CaseResult]
    /// Stops the run: no more results are recorded and consumers stop claiming.
    func cancel() async throws
}
