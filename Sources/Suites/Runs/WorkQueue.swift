/// A case handed to one evaluator, to be recorded with ``WorkQueue/record(_:)``.
public struct ClaimedCase: Sendable, Hashable {
    /// The queue's handle for the delivery (a stream entry id in Redis).
    public var entryID: String
    public var suiteCase: SuiteCase
    /// Whether the case was taken over from a consumer that stopped refreshing its claims.
    public var reclaimed: Bool
    /// Which repeat of the case this is, from 1 (`spec.repeats`).
    public var `repeat`: Int

    public init(entryID: String, suiteCase: SuiteCase, reclaimed: Bool = false, repeat: Int = 1) {
        self.entryID = entryID
        self.suiteCase = suiteCase
        self.reclaimed = reclaimed
        self.repeat = `repeat`
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

/// A claimed case and its result, ready to record.
public struct FinishedCase: Sendable, Hashable {
    public var result: CaseResult
    public var claimed: ClaimedCase

    public init(result: CaseResult, claimed: ClaimedCase) {
        self.result = result
        self.claimed = claimed
    }
}

/// The cases of one run, shared by every evaluator working on it. Recording a result and
/// acknowledging its case happen atomically, so each case ends with exactly one result however
/// often it was delivered.
///
/// A claim stays with its consumer while the consumer refreshes it (``refreshClaims()`` every
/// ``claimRefreshInterval``); claims a consumer stopped refreshing are taken over by ``claim(max:)``
/// of another.
public protocol WorkQueue: Sendable {
    /// Creates the run and queues its cases; idempotent, so every process may call it (seeding twice
    /// adds nothing).
    func prepare(_ plan: RunPlan) async throws
    /// Up to `max` cases for this consumer: new ones, and ones whose consumer stopped refreshing its
    /// claims. Empty when nothing is claimable right now.
    func claim(max: Int) async throws -> [ClaimedCase]
    /// Records finished cases in one step (a batch amortises the round trip and the aggregate
    /// updates); one outcome per case, in order.
    func record(_ batch: [FinishedCase]) async throws -> [RecordOutcome]
    /// How often a live consumer calls ``refreshClaims()``; `nil` when claims never lapse.
    var claimRefreshInterval: Duration? { get }
    /// Marks this consumer's unfinished claims as alive (the heartbeat), so no other consumer takes them.
    func refreshClaims() async throws
    /// The live aggregates; `nil` when the run does not exist (never created, or expired).
    func aggregates() async throws -> RunAggregates?
    /// Case results in recording order.
    func results(offset: Int, limit: Int) async throws -> [CaseResult]
    /// Stops the run: no more results are recorded and consumers stop claiming.
    func cancel() async throws
}

extension WorkQueue {
    /// Records one finished case.
    public func record(_ result: CaseResult, for claimed: ClaimedCase) async throws -> RecordOutcome {
        try await record([FinishedCase(result: result, claimed: claimed)])[0]
    }
}
