import Suites
import Testing

@Suite("SuitePhaseMachine")
struct SuitePhaseTests {
    typealias Machine = SuitePhaseMachine
    static let machine = Machine()
    static let done = SuitePhase.Event.progressed(completed: 4, total: 4, meetsThreshold: true)
    static let short = SuitePhase.Event.progressed(completed: 4, total: 4, meetsThreshold: false)
    static let partway = SuitePhase.Event.progressed(completed: 1, total: 4, meetsThreshold: true)
    static let empty = SuitePhase.Event.progressed(completed: 0, total: 0, meetsThreshold: false)

    @Test(
        "every transition the operator makes on the resource",
        arguments: [
            (SuitePhase.pending, SuitePhase.Event.childrenReady, SuitePhase.running),
            (.pending, partway, .running),
            (.pending, done, .succeeded),
            (.running, partway, .running),
            (.running, done, .succeeded),
            (.running, short, .failed),
            (.running, empty, .running),
            (.running, .specInvalid, .invalid),
            (.invalid, .childrenReady, .invalid),
            (.invalid, .specChanged, .pending),
            (.succeeded, partway, .succeeded),
            (.succeeded, .specInvalid, .succeeded),
            (.failed, .specChanged, .pending),
        ])
    func transitions(from: SuitePhase, event: SuitePhase.Event, to: SuitePhase) {
        let step = Self.machine.transition(from, event)
        #expect(step.state == to)
        #expect(step.effects == (from == to ? [] : [.entered(to)]))
    }

    @Test(
        "every transition a run makes in Redis",
        arguments: [
            (SuitePhase.seeding, SuitePhase.Event.seeded, SuitePhase.running),
            (.seeding, .progressed(completed: 5, total: 5, meetsThreshold: true), .seeding),
            (.running, .progressed(completed: 4, total: 5, meetsThreshold: true), .running),
            (.running, .progressed(completed: 5, total: 5, meetsThreshold: true), .succeeded),
            (.running, .progressed(completed: 5, total: 5, meetsThreshold: false), .failed),
            (.running, .cancelled, .cancelled),
            (.seeding, .cancelled, .cancelled),
            (.succeeded, .cancelled, .succeeded),
            (.cancelled, .seeded, .cancelled),
            (.pending, .preflightFailed, .failed),
            (.running, .preflightFailed, .failed),
            (.succeeded, .preflightFailed, .succeeded),
            (.invalid, .preflightFailed, .invalid),
        ])
    func runPhases(from: SuitePhase, event: SuitePhase.Event, to: SuitePhase) {
        #expect(Self.machine.transition(from, event).state == to)
    }

    /// (event, phase after, effects).
    typealias Row = (SuitePhase.Event, SuitePhase, [Machine.Effect])

    static let lives: [(String, SuitePhase?, [Row])] = [
        (
            "a suite goes from accepted to succeeded, and an edit starts it over",
            nil,
            [
                (.childrenReady, .running, [.entered(.running)]),
                (partway, .running, []),
                (done, .succeeded, [.entered(.succeeded)]),
                (.childrenReady, .succeeded, []),
                (.specChanged, .pending, [.entered(.pending)]),
            ]
        ),
        (
            "an invalid suite stays invalid until its spec changes",
            nil,
            [
                (.specInvalid, .invalid, [.entered(.invalid)]),
                (done, .invalid, []),
                (.specChanged, .pending, [.entered(.pending)]),
            ]
        ),
        (
            "a run seeds, runs and is cancelled for good",
            .seeding,
            [
                (partway, .seeding, []),
                (.seeded, .running, [.entered(.running)]),
                (.cancelled, .cancelled, [.entered(.cancelled)]),
                (done, .cancelled, []),
            ]
        ),
    ]

    @Test("whole lives of a suite and a run, step by step", arguments: lives)
    func life(name: String, start: SuitePhase?, rows: [Row]) {
        let steps = Self.machine.run(rows.map(\.0), from: start)
        for (step, row) in zip(steps, rows) {
            #expect(step.state == row.1, "\(name)")
            #expect(step.effects == row.2, "\(name)")
        }
    }

    @Test(
        "a run's phase follows from its stored counters",
        arguments: [
            (false, 0, false, false, SuitePhase.seeding),
            (true, 2, false, false, .running),
            (true, 4, true, false, .succeeded),
            (true, 4, false, false, .failed),
            (true, 2, true, true, .cancelled),
            (true, 4, true, true, .succeeded),
        ])
    func derive(seeded: Bool, recorded: Int, meets: Bool, cancelled: Bool, expected: SuitePhase) {
        let phase = SuitePhase.derive(
            seeded: seeded, recorded: recorded, total: 4, meetsThreshold: meets, cancelled: cancelled)
        #expect(phase == expected)
    }

    @Test("the resource shows the operator's phases only")
    func resourcePhases() {
        #expect(SuitePhase.resourcePhases.map(\.rawValue) == ["Pending", "Running", "Succeeded", "Failed", "Invalid"])
        #expect(SuitePhase.allCases.filter(\.isFinal) == [.succeeded, .failed, .cancelled])
    }
}
