import Suites
import Testing

@testable import Operator

@Suite("StatusPlanner decides status, children and events")
struct StatusPlannerTests {
    static let run1 = "uid-g1"
    static let run2 = "uid-g2"

    static func input(
        _ current: SuiteStatus = SuiteStatus(), generation: Int = 1,
        validity: StatusPlanner.Validity = .valid(total: 4),
        completed: Int? = nil, passed: Int = 0, meets: Bool = false, breakers: [SuiteProgress.Breaker] = [],
        known: Set<String> = []
    ) -> StatusPlanner.Input {
        var progress: SuiteProgress?
        if let completed {
            progress = SuiteProgress(
                counts: .init(total: 4, completed: completed, passed: passed, failed: completed - passed),
                passRate: completed == 0 ? nil : Double(passed) / Double(completed), breakers: breakers)
        }
        return StatusPlanner.Input(
            current: current, generation: generation, runID: "uid-g\(generation)", validity: validity,
            progress: progress, meetsThreshold: meets, resultsURL: "http://results/\(generation)",
            knownOpenBreakers: known, now: "2026-11-24T12:00:0\(generation)Z")
    }

    static func status(_ phase: SuitePhase, generation: Int = 1, completed: Int = 0) -> SuiteStatus {
        var status = SuiteStatus()
        status.phase = phase
        status.observedGeneration = generation
        status.runID = "uid-g\(generation)"
        status.run.counts = .init(total: 4, completed: completed)
        status.startTime = "2026-11-24T11:00:00Z"
        return status
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var input: StatusPlanner.Input
        var phase: SuitePhase
        var children: StatusPlanner.Children
        var events: [String]
        var cancel: String?
        var poll: Bool
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "a new suite starts its run without an Event (one write less per suite)", input: input(),
            phase: .running, children: .run, events: [], cancel: nil, poll: true),
        Row(
            name: "partway through, the run keeps going", input: input(status(.running), completed: 2, passed: 2),
            phase: .running, children: .run, events: [], cancel: nil, poll: true),
        Row(
            name: "every case done above the threshold succeeds",
            input: input(status(.running), completed: 4, passed: 4, meets: true), phase: .succeeded,
            children: .scaledDown, events: ["RunSucceeded"], cancel: nil, poll: false),
        Row(
            name: "every case done below the threshold fails",
            input: input(status(.running), completed: 4, passed: 1, meets: false), phase: .failed,
            children: .scaledDown, events: ["RunFailed"], cancel: nil, poll: false),
        Row(
            name: "a finished run stays finished and scaled down",
            input: input(status(.succeeded, completed: 4), completed: 4, passed: 4, meets: true), phase: .succeeded,
            children: .scaledDown, events: [], cancel: nil, poll: false),
        Row(
            name: "an edit mid-run cancels the old run and starts the new generation",
            input: input(status(.running, completed: 2), generation: 2, completed: 0), phase: .running,
            children: .run, events: ["RunStarted"], cancel: run1, poll: true),
        Row(
            name: "an edit after the run finished starts a new run without cancelling",
            input: input(status(.failed, completed: 4), generation: 2, completed: 0), phase: .running,
            children: .run, events: ["RunStarted"], cancel: nil, poll: true),
        Row(
            name: "an invalid spec creates nothing and says why",
            input: input(validity: .invalid("spec.targets: is required")), phase: .invalid, children: .none,
            events: ["InvalidSpec"], cancel: nil, poll: false),
        Row(
            name: "an invalid edit mid-run cancels the run and removes children",
            input: input(status(.running), generation: 2, validity: .invalid("spec.criteria[0].type: unknown")),
            phase: .invalid, children: .none, events: ["InvalidSpec"], cancel: run1, poll: false),
        Row(
            name: "a suite still invalid records no second event",
            input: input(status(.invalid), validity: .invalid("spec.targets: is required")), phase: .invalid,
            children: .none, events: [], cancel: nil, poll: false),
        Row(
            name: "a breaker opening is one warning event",
            input: input(
                status(.running), completed: 1, passed: 1,
                breakers: [.init(target: "t", provider: "openai", state: .open)]), phase: .running,
            children: .run, events: ["CircuitOpened"], cancel: nil, poll: true),
        Row(
            name: "a breaker already reported open records nothing",
            input: input(
                status(.running), completed: 1, passed: 1,
                breakers: [.init(target: "t", provider: "openai", state: .open)], known: ["t/openai"]),
            phase: .running, children: .run, events: [], cancel: nil, poll: true),
    ]

    @Test("every rule of the planner", arguments: rows)
    func plans(row: Row) {
        let plan = StatusPlanner.plan(row.input)
        #expect(plan.status.phase == row.phase)
        #expect(plan.children == row.children)
        #expect(plan.events.map(\.reason) == row.events)
        #expect(plan.cancelRun == row.cancel)
        #expect(plan.pollAgain == row.poll)
        #expect(plan.status.observedGeneration == row.input.generation)
    }

    @Test("conditions follow the phase: Ready only when the run passed the gate")
    func conditions() {
        func condition(_ plan: StatusPlanner.Plan, _ type: String) -> Condition? {
            plan.status.conditions.first { $0.type == type }
        }
        let running = StatusPlanner.plan(Self.input(Self.status(.running), completed: 1, passed: 1))
        #expect(condition(running, "Ready")?.status == .isFalse)
        #expect(condition(running, "Progressing")?.status == .isTrue)
        #expect(condition(running, "Progressing")?.message == "1 of 4 cases evaluated")
        let done = StatusPlanner.plan(Self.input(Self.status(.running), completed: 4, passed: 4, meets: true))
        #expect(condition(done, "Ready")?.status == .isTrue)
        #expect(condition(done, "Ready")?.reason == "RunSucceeded")
        #expect(done.status.completionTime == "2026-11-24T12:00:01Z")
        let failed = StatusPlanner.plan(Self.input(Self.status(.running), completed: 4, passed: 1))
        #expect(condition(failed, "Ready")?.reason == "RunFailed")
        let invalid = StatusPlanner.plan(Self.input(validity: .invalid("spec.targets: is required")))
        #expect(condition(invalid, "Ready")?.message == "spec.targets: is required")
        #expect(condition(invalid, "Degraded")?.status == .isTrue)
        #expect(invalid.status.runID == nil)
        for plan in [running, done, failed, invalid] {
            #expect(plan.status.conditions.allSatisfy { $0.observedGeneration == 1 })
        }
    }

    @Test("a new run resets counts, start time and results URL; an unchanged one keeps its start time")
    func newRunResets() {
        let next = StatusPlanner.plan(Self.input(Self.status(.succeeded, completed: 4), generation: 2))
        #expect(next.status.runID == Self.run2)
        #expect(next.status.startTime == "2026-11-24T12:00:02Z")
        #expect(next.status.completionTime == nil)
        #expect(next.status.run.counts.total == 4)
        #expect(next.status.resultsURL == "http://results/2")
        let same = StatusPlanner.plan(Self.input(Self.status(.running), completed: 2, passed: 2))
        #expect(same.status.startTime == "2026-11-24T11:00:00Z")
    }

    @Test("replanning an unchanged state changes nothing, so nothing is written")
    func idempotent() {
        let first = StatusPlanner.plan(Self.input(Self.status(.running), completed: 2, passed: 2))
        var again = Self.input(first.status, completed: 2, passed: 2)
        again.knownOpenBreakers = first.openBreakers
        let second = StatusPlanner.plan(again)
        #expect(second.status == first.status)
        #expect(second.events.isEmpty)
        let done = StatusPlanner.plan(Self.input(Self.status(.running), completed: 4, passed: 4, meets: true))
        let later = StatusPlanner.plan(Self.input(done.status, completed: 4, passed: 4, meets: true))
        #expect(later.status == done.status)
        #expect(later.events.isEmpty)
    }

    @Test("status JSON round-trips through the resource")
    func roundTrip() {
        let plan = StatusPlanner.plan(
            Self.input(
                Self.status(.running), completed: 2, passed: 1,
                breakers: [.init(target: "t", provider: "p", state: .open)]))
        #expect(SuiteStatus(json: plan.status.json) == plan.status)
        let patch = plan.status.mergePatch["status"]
        #expect(patch?["completionTime"] == .null)
        #expect(patch?["phase"] == "Running")
    }

    @Test("a finished run's comparisons and error reasons go onto the status once, and read back equal")
    func verdictOnCompletion() throws {
        var verdict = VerdictStatus()
        verdict.comparisons = [
            .init(
                a: "large", b: "small", difference: 0.35, low: 0.117, high: 0.526, pValue: 0.039, cases: 20,
                summary: "large vs small: +35.0 pp [11.7, 52.6], p = 0.039")
        ]
        verdict.errorReasons = [.init(target: "small", reason: "no API key", count: 3)]
        var running = Self.input(Self.status(.running), completed: 2, passed: 2)
        running.verdict = verdict
        #expect(StatusPlanner.plan(running).status.verdict == VerdictStatus(), "not before the run is over")
        var done = Self.input(Self.status(.running), completed: 4, passed: 4, meets: true)
        done.verdict = verdict
        let status = StatusPlanner.plan(done).status
        #expect(status.verdict == verdict)
        #expect(
            status.json["comparisons"]?.arrayValue?.first?["summary"]
                == "large vs small: +35.0 pp [11.7, 52.6], p = 0.039")
        #expect(status.json["errorReasons"]?.arrayValue?.first?["count"] == 3)
        #expect(SuiteStatus(json: status.json) == status)
        #expect(status.mergePatch["status"]?["comparisons"] != nil)
    }

    @Test(
        "the Regressed condition follows the baseline verdict once the run is over",
        arguments: [
            (true as Bool?, "True", "Regressed"), (false, "False", "NoRegression"),
            (nil, "Unknown", "BaselineUnavailable"),
        ])
    func regressedCondition(regressed: Bool?, status expected: String, reason: String) {
        var verdict = VerdictStatus()
        verdict.baseline = VerdictStatus.Baseline(source: "suite default/old", regressed: regressed, message: "m")
        var done = Self.input(Self.status(.running), completed: 4, passed: 4, meets: regressed != true)
        done.verdict = verdict
        let status = StatusPlanner.plan(done).status
        let condition = status.conditions.first { $0.type == "Regressed" }
        #expect(condition?.status.rawValue == expected)
        #expect(condition?.reason == reason)
        #expect(SuiteStatus(json: status.json) == status)
        var running = Self.input(Self.status(.running), completed: 2, passed: 2)
        running.verdict = verdict
        #expect(!StatusPlanner.plan(running).status.conditions.contains { $0.type == "Regressed" })
    }
}
