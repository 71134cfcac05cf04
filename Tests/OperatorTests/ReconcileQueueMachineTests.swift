import TestSupport
import Testing

@testable import Operator

@Suite("ReconcileQueueMachine")
struct ReconcileQueueMachineTests {
    typealias Machine = ReconcileQueueMachine<String>
    static let machine = Machine()
    static func ms(_ milliseconds: Int) -> ContinuousClock.Instant { TestTime.at(.milliseconds(milliseconds)) }

    /// One scripted event at a time in milliseconds, with the effects it must have.
    typealias Row = (event: Machine.Event, effects: [Machine.Effect])

    static func add(_ key: String, at time: Int) -> Row { (.add(key, readyAt: ms(time)), []) }
    /// A timer's look again (a progress read, a resync).
    static func later(_ key: String, at time: Int) -> Row { (.add(key, readyAt: ms(time), deferred: true), []) }
    static func next(at time: Int, expect key: String?) -> Row {
        (.next(at: ms(time)), key.map { [.handOut($0)] } ?? [])
    }
    static func done(_ key: String) -> Row { (.done(key), []) }
    static func retry(_ key: String, at time: Int, delayMs: Int) -> Row {
        (.retry(key, at: ms(time)), [.retryIn(.milliseconds(delayMs))])
    }
    static func forget(_ key: String) -> Row { (.forget(key), []) }

    static let tables: [(String, [Row])] = [
        (
            "a key added twice is handed out once",
            [add("a", at: 0), add("a", at: 1), next(at: 2, expect: "a"), next(at: 2, expect: nil)]
        ),
        (
            "keys come out oldest first",
            [add("b", at: 0), add("a", at: 1), next(at: 2, expect: "b"), next(at: 2, expect: "a")]
        ),
        (
            "a key added while processing waits until done, then comes back",
            [
                add("a", at: 0), next(at: 0, expect: "a"), add("a", at: 1), next(at: 2, expect: nil), done("a"),
                next(at: 3, expect: "a"),
            ]
        ),
        (
            "a done key not re-added is gone",
            [add("a", at: 0), next(at: 0, expect: "a"), done("a"), next(at: 5, expect: nil)]
        ),
        (
            "retries back off 5, 10, 20 ms and reset on forget",
            [
                retry("a", at: 0, delayMs: 5), next(at: 4, expect: nil), next(at: 5, expect: "a"), done("a"),
                retry("a", at: 5, delayMs: 10), retry("a", at: 5, delayMs: 20), forget("a"),
                retry("a", at: 5, delayMs: 5),
            ]
        ),
        (
            "a plain add of a retrying key makes it ready at once",
            [retry("a", at: 0, delayMs: 5), add("a", at: 1), next(at: 1, expect: "a")]
        ),
        (
            "a key moved earlier comes out once, at the earlier time",
            [
                add("a", at: 10), add("b", at: 5), add("a", at: 2), next(at: 2, expect: "a"), next(at: 4, expect: nil),
                next(at: 5, expect: "b"), next(at: 20, expect: nil),
            ]
        ),
        (
            "a later add leaves a waiting key's time alone",
            [add("a", at: 2), add("a", at: 10), next(at: 2, expect: "a"), done("a"), next(at: 10, expect: nil)]
        ),
        (
            "keys ready at the same time come out in the order they were added",
            [
                add("c", at: 0), add("a", at: 0), add("b", at: 0), next(at: 0, expect: "c"), next(at: 0, expect: "a"),
                next(at: 0, expect: "b"),
            ]
        ),
        (
            "a key handed out and requeued while processing comes back at its requeue time only",
            [
                add("a", at: 0), add("a", at: 0), next(at: 0, expect: "a"), add("a", at: 3), done("a"),
                next(at: 2, expect: nil), next(at: 3, expect: "a"), done("a"), next(at: 9, expect: nil),
            ]
        ),
        (
            "a new key goes before an overdue progress read, which goes when no prompt key is ready",
            [
                later("read", at: 0), add("new", at: 50), next(at: 50, expect: "new"), next(at: 50, expect: "read"),
                next(at: 50, expect: nil),
            ]
        ),
        (
            "a change to a key waiting for a progress read makes it prompt",
            [
                later("a", at: 0), later("b", at: 0), add("b", at: 5), add("c", at: 5), next(at: 5, expect: "b"),
                next(at: 5, expect: "c"), next(at: 5, expect: "a"), next(at: 5, expect: nil),
            ]
        ),
        (
            "a progress read asked for while a change is pending keeps the key prompt",
            [
                add("a", at: 0), next(at: 0, expect: "a"), add("a", at: 1), later("a", at: 9), add("b", at: 2),
                done("a"), next(at: 2, expect: "a"), next(at: 2, expect: "b"),
            ]
        ),
        (
            "a deferred key waits for its own time",
            [later("a", at: 10), next(at: 9, expect: nil), next(at: 10, expect: "a")]
        ),
    ]

    @Test("transitions", arguments: tables)
    func transitions(name: String, rows: [Row]) {
        var state = Self.machine.initial
        for (index, row) in rows.enumerated() {
            let step = Self.machine.transition(state, row.event)
            #expect(step.effects == row.effects, "\(name), row \(index)")
            state = step.state
        }
    }

    @Test(
        "per-item backoff doubles from 5 ms and stops at 1000 s",
        arguments: [
            (0, Duration.milliseconds(5)), (1, .milliseconds(10)), (10, .milliseconds(5120)),
            (17, .milliseconds(655_360)), (18, .seconds(1000)), (100, .seconds(1000)),
        ])
    func backoff(attempt: Int, expected: Duration) {
        #expect(Self.machine.itemDelay(attempt: attempt) == expected)
    }

    @Test("the overall bucket spaces retries at 10 per second once its burst of 100 is spent")
    func overallRateLimit() {
        let keys = (0..<102).map { "k\($0)" }
        let steps = Self.machine.run(keys.map { .retry($0, at: Self.ms(0)) })
        let delays = steps.flatMap(\.effects)
        #expect(delays.prefix(100).allSatisfy { $0 == .retryIn(.milliseconds(5)) })
        #expect(delays[100] == .retryIn(.milliseconds(100)))
        #expect(delays[101] == .retryIn(.milliseconds(200)))
        // A second later ten tokens have come back; the debt of two is paid, eight are left.
        let late = Self.machine.transition(steps.last!.state, .retry("late", at: Self.ms(1000)))
        #expect(late.effects == [.retryIn(.milliseconds(5))])
    }

    @Test("the ready index holds about twice the keys at most, however often keys move earlier")
    func indexStaysBounded() {
        var state = Self.machine.initial
        for round in 0..<1_000 {
            for key in ["a", "b", "c"] { _ = Self.machine.step(&state, .add(key, readyAt: Self.ms(10_000 - round))) }
        }
        #expect(state.ready.count <= 2 * state.keys.count + 64)
        #expect(state.nextReadyTime == Self.ms(9_001))
        let handedOut = (0..<4).flatMap { _ in Self.machine.step(&state, .next(at: Self.ms(9_001))) }
        #expect(handedOut == [.handOut("a"), .handOut("b"), .handOut("c")])
    }

    @Test("stepping in place and the pure transition agree")
    func stepMatchesTransition() {
        let events: [Machine.Event] = [
            .add("a", readyAt: Self.ms(3)), .retry("b", at: Self.ms(0)), .next(at: Self.ms(5)),
            .add("a", readyAt: Self.ms(6)),
            .done("b"), .next(at: Self.ms(6)), .forget("b"), .done("a"),
        ]
        var inPlace = Self.machine.initial
        var pure = Self.machine.initial
        for event in events {
            let effects = Self.machine.step(&inPlace, event)
            let step = Self.machine.transition(pure, event)
            pure = step.state
            #expect(effects == step.effects)
            #expect(inPlace == pure)
            #expect(inPlace.nextReadyTime == pure.nextReadyTime)
        }
    }

    @Test("nextReadyTime tells the driver how long to sleep")
    func nextReadyTime() {
        var state = Self.machine.initial
        #expect(state.nextReadyTime == nil)
        state =
            Self.machine.run([.add("a", readyAt: Self.ms(4000)), .add("b", readyAt: Self.ms(2000))], from: state)
            .last!.state
        #expect(state.nextReadyTime == Self.ms(2000))
        let step = Self.machine.transition(state, .next(at: Self.ms(2000)))
        #expect(step.effects == [.handOut("b")])
        #expect(step.state.depth == 2)
    }
}
