import Suites
import Testing

@testable import Operator

/// The operator's side of the preflight: the evaluators' `Preflight` condition ends the run.
@Suite("StatusPlanner ends a run whose preflight failed")
struct StatusPlannerPreflightTests {
    static let failure = #"no API key: Secret "keys" in namespace "default" has no key "openai", or it is empty"#

    static func input(_ current: SuiteStatus, generation: Int = 1, preflight: String? = failure) -> StatusPlanner.Input
    {
        var input = StatusPlannerTests.input(current, generation: generation, completed: 0)
        input.preflightFailure = preflight
        return input
    }

    @Test(
        "a failed preflight on a pending or running run fails it once: event, cancel, scale down, reason and message",
        arguments: [SuitePhase.pending, .running])
    func failsTheRun(from phase: SuitePhase) {
        let plan = StatusPlanner.plan(Self.input(StatusPlannerTests.status(phase)))
        #expect(plan.status.phase == .failed)
        #expect(plan.children == .scaledDown)
        #expect(plan.events.map(\.reason) == ["PreflightFailed"])
        #expect(plan.events.first?.message == "Run uid-g1: \(Self.failure)")
        #expect(plan.cancelRun == StatusPlannerTests.run1)
        #expect(!plan.pollAgain)
        #expect(plan.status.completionTime == "2026-11-24T12:00:01Z")
        for (type, status) in [("Ready", Condition.Status.isFalse), ("Progressing", .isFalse), ("Degraded", .isTrue)] {
            let condition = plan.status.conditions.first { $0.type == type }
            #expect(condition?.status == status)
            #expect(condition?.reason == "PreflightFailed")
            #expect(condition?.message == Self.failure)
        }
        // Planned again from what was written: nothing changes, nothing is recorded twice.
        let again = StatusPlanner.plan(Self.input(plan.status))
        #expect(again.status == plan.status)
        #expect(again.events.isEmpty && again.cancelRun == nil)
    }

    @Test("a finished run is not failed by a late preflight, and an edit starts afresh without the old condition")
    func finishedAndEdited() {
        let done = StatusPlanner.plan(Self.input(StatusPlannerTests.status(.succeeded, completed: 4)))
        #expect(done.status.phase == .succeeded && done.events.isEmpty)
        var failed = StatusPlanner.plan(Self.input(StatusPlannerTests.status(.running))).status
        failed.conditions.append(
            Condition(
                type: PreflightCondition.type, status: .isFalse, observedGeneration: 1, lastTransitionTime: "t",
                reason: PreflightCondition.failedReason, message: Self.failure))
        let edited = StatusPlanner.plan(Self.input(failed, generation: 2, preflight: nil))
        #expect(edited.status.phase == .running)
        #expect(!edited.status.conditions.contains { $0.type == PreflightCondition.type })
        #expect(edited.status.conditions.first { $0.type == "Ready" }?.reason == "RunInProgress")
    }
}

/// The operator's side of `spec.budget`: the evaluators mark it spent in Redis, the run ends.
@Suite("StatusPlanner ends a run whose budget is spent")
struct StatusPlannerBudgetTests {
    static let spent = "Budget: 1210 tokens of 1000; exceeded (BudgetExceeded) after 40 of 300 cases"

    @Test("a spent budget fails a running run once with condition BudgetExceeded, without cancelling its results")
    func failsTheRun() {
        var input = StatusPlannerTests.input(StatusPlannerTests.status(.running), generation: 1, completed: 0)
        input.budgetExceeded = Self.spent
        let plan = StatusPlanner.plan(input)
        #expect(plan.status.phase == .failed)
        #expect(plan.children == .scaledDown)
        #expect(plan.events.map(\.reason) == ["BudgetExceeded"])
        #expect(plan.cancelRun == nil)
        for type in ["Ready", "Progressing"] {
            let condition = plan.status.conditions.first { $0.type == type }
            #expect(condition?.status == .isFalse && condition?.reason == "BudgetExceeded")
            #expect(condition?.message == Self.spent)
        }
        var again = input
        again.current = plan.status
        let replanned = StatusPlanner.plan(again)
        #expect(replanned.status == plan.status && replanned.events.isEmpty)
        // The reconciler reads no aggregates once the run is final: the conditions must stay.
        again.budgetExceeded = nil
        again.progress = nil
        let later = StatusPlanner.plan(again)
        #expect(later.status == plan.status && later.events.isEmpty)
    }
}
