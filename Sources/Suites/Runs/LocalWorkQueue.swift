import AssayCore

/// The in-process queue of a local run without Redis: the same contract as ``RedisWorkQueue`` for
/// one process.
public final class LocalWorkQueue: WorkQueue {
    private struct State {
        var info: RunInfo?
        var plan: RunPlan?
        /// The plan's ``RunPlan/tallyEveryCase``, worked out once.
        var tallyEveryCase = false
        var nextIndex = 0
        var recorded: Set<String> = []
        var results: [CaseResult] = []
        var tally = RunTally()
        var cancelled = false
        var budgetExceeded = false
    }

    private let state = Guarded(State())

    public init() {}

    public func prepare(_ plan: RunPlan) async throws {
        state.withLock { state in
            guard state.info == nil else { return }
            state.info = plan.info
            state.plan = plan
            state.tallyEveryCase = plan.tallyEveryCase
        }
    }

    public func claim(max: Int) async throws -> [ClaimedCase] {
        state.withLock { state in
            guard !state.cancelled, !state.budgetExceeded, let plan = state.plan else { return [] }
            let end = min(plan.workItemCount, state.nextIndex + max)
            let claimed = (state.nextIndex..<end).map { index in
                let item = plan.workItem(index)
                return ClaimedCase(entryID: String(index), suiteCase: item.suiteCase, repeat: item.repeat)
            }
            state.nextIndex = end
            return claimed
        }
    }

    public func record(_ batch: [FinishedCase]) async throws -> [RecordOutcome] {
        state.withLock { state in
            batch.map { finished in
                if state.cancelled { return .cancelled }
                guard state.recorded.insert(finished.result.recordKey).inserted else { return .duplicate }
                state.results.append(finished.result)
                let unit = CaseTally.unit(
                    caseID: finished.result.caseID, cluster: finished.claimed.suiteCase.field("cluster"),
                    everyCase: state.tallyEveryCase)
                state.tally.add(finished.result, unit: unit)
                if RunAggregates.spends(state.plan?.budget, counters: state.tally.counters) {
                    state.budgetExceeded = true
                }
                return .recorded
            }
        }
    }

    /// One process holds every claim: none lapses.
    public var claimRefreshInterval: Duration? { nil }

    public func refreshClaims() async throws {}

    public func aggregates() async throws -> RunAggregates? {
        state.withLock { state in
            state.info.map {
                state.tally.aggregates(
                    info: $0, seeded: true, cancelled: state.cancelled, budgetExceeded: state.budgetExceeded)
            }
        }
    }

    public func results(offset: Int, limit: Int) async throws -> [CaseResult] {
        state.withLock { state in
            let start = min(max(0, offset), state.results.count)
            return Array(state.results[start..<min(state.results.count, start + max(0, limit))])
        }
    }

    public func cancel() async throws {
        state.withLock { $0.cancelled = true }
    }
}
