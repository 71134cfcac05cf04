import AssayCore
import TestSupport
import Testing

@testable import AssayKube

@Suite("WatcherMachine")
struct WatcherMachineTests {
    typealias Event = WatcherMachine.Event
    typealias Effect = WatcherMachine.Effect
    typealias State = WatcherMachine.State

    static let a1 = KubeObject.configMap("a", rv: "1")
    static let b2 = KubeObject.configMap("b", rv: "2")
    static let a5 = KubeObject.configMap("a", rv: "5")
    static let c6 = KubeObject.configMap("c", rv: "6")
    static let gone = KubeStatusError(code: 410, reason: .expired, message: "too old resource version: 1 (40)")
    static let machine = WatcherMachine()
    static func at(_ seconds: Int) -> ContinuousClock.Instant { TestTime.seconds(seconds) }

    /// `event` received at 0 s with no jitter.
    static func received(_ event: WatchEvent, at seconds: Int = 0) -> Event {
        .received(event, at: at(seconds), jitter: 0)
    }

    static func failed(_ error: KubeError, at seconds: Int = 0, jitter: Double = 0) -> Event {
        .failed(error, at: at(seconds), jitter: jitter)
    }

    /// The state after start and a list of a1 and b2 at resourceVersion 10.
    static var watching: State {
        machine.run([.start, .listed(items: [a1, b2], resourceVersion: "10")]).last!.state
    }

    /// A state's name, for tables.
    static func name(_ state: State) -> String {
        switch state {
        case .idle: "idle"
        case .listing: "listing"
        case .watching: "watching"
        case .backingOff(_, .list): "backingOff(list)"
        case .backingOff(_, .watch): "backingOff(watch)"
        }
    }

    @Test("start lists; the list is emitted, synced, and the watch starts from the list's resourceVersion")
    func listThenWatch() {
        let steps = Self.machine.run([.start, .listed(items: [Self.a1, Self.b2], resourceVersion: "10")])
        #expect(steps[0].effects == [.list])
        #expect(
            steps[1].effects == [
                .emit(.added(Self.a1)), .emit(.added(Self.b2)), .emit(.synced), .watch(resourceVersion: "10"),
            ])
        #expect(Self.name(steps[1].state) == "watching")
        #expect(steps[1].state.memory?.resourceVersion == "10")
    }

    @Test(
        "watch events update objects and the resourceVersion; bookmarks move only the resourceVersion",
        arguments: [
            (WatchEvent.modified(a5), [Effect.emit(.modified(a5))], "5", 2),
            (.added(c6), [.emit(.added(c6))], "6", 3),
            (
                .deleted(KubeObject.configMap("b", rv: "7")), [.emit(.deleted(KubeObject.configMap("b", rv: "7")))],
                "7", 1
            ),
            (.bookmark(resourceVersion: "42"), [], "42", 2),
        ])
    func events(event: WatchEvent, expected: [Effect], rv: String, count: Int) {
        let step = Self.machine.transition(Self.watching, Self.received(event))
        #expect(step.effects == expected)
        #expect(step.state.memory?.resourceVersion == rv)
        #expect(step.state.memory?.objects.count == count)
        #expect(Self.name(step.state) == "watching")
    }

    @Test("the machine keeps each object's resourceVersion, not the object, and steps in place as transition does")
    func keepsIdentitiesInPlace() {
        var big = KubeObject.configMap("d", rv: "8")
        big["data"] = ["payload": .string(String(repeating: "x", count: 1000))]
        big.labels = ["app": "web"]
        let events = [
            Self.received(.added(big)), Self.received(.modified(Self.a5)), Self.received(.deleted(Self.b2)),
            Self.received(.bookmark(resourceVersion: "9")), .streamEnded, Self.failed(.api(Self.gone)),
            .listed(items: [big], resourceVersion: "12"),
        ]
        var state = Self.watching
        var pure = Self.watching
        for event in events {
            let effects = Self.machine.step(&state, event)
            let step = Self.machine.transition(pure, event)
            #expect(effects == step.effects)
            #expect(state == step.state)
            pure = step.state
        }
        #expect(state.memory?.objects[big.key] == KnownObject(KubeObject.configMap("other", rv: "8")))
        #expect(state.memory?.objects[big.key]?.resourceVersion == "8")
    }

    @Test("a normal end of the stream re-watches at once from the last resourceVersion, bookmark included")
    func rewatchAfterClose() {
        let steps = Self.machine.run(
            [Self.received(.modified(Self.a5)), Self.received(.bookmark(resourceVersion: "30")), .streamEnded],
            from: Self.watching)
        #expect(steps[2].effects == [.watch(resourceVersion: "30")])
    }

    @Test(
        "410 Gone as the watch's status or as an ERROR event relists; the relist reports vanished objects as deleted",
        arguments: [
            failed(.api(gone), at: 1),
            received(.error(gone)),
            failed(.api(KubeStatusError(code: 410, reason: .gone, message: ""))),
        ])
    func goneRelists(trigger: Event) {
        let steps = Self.machine.run(
            [trigger, .listed(items: [Self.a5, Self.c6], resourceVersion: "50")], from: Self.watching)
        #expect(steps[0].effects == [.list])
        #expect(
            steps[1].effects == [
                .emit(.modified(Self.a5)), .emit(.added(Self.c6)), .emit(.deleted(KubeObject(deletedKey: Self.b2.key))),
                .emit(.synced),
                .watch(resourceVersion: "50"),
            ])
        #expect(steps[1].state.memory?.objects.keys.sorted() == [Self.a5.key, Self.c6.key])
        #expect(steps[1].state.memory?.failures.attempt == 0, "410 is not a failure and does not back off")
    }

    @Test("an unchanged object is not re-emitted by a relist")
    func relistUnchanged() {
        let steps = Self.machine.run(
            [Self.failed(.api(Self.gone)), .listed(items: [Self.a1, Self.b2], resourceVersion: "11")],
            from: Self.watching)
        #expect(steps[1].effects == [.emit(.synced), .watch(resourceVersion: "11")])
    }

    /// (event, state after, effects), from watching at resourceVersion 10.
    typealias Row = (event: Event, state: String, effects: [Effect])

    static let tables: [(String, [Row])] = [
        (
            "a failed watch backs off and then watches again from the same resourceVersion",
            [
                (received(.bookmark(resourceVersion: "12")), "watching", []),
                (failed(.transport(.connect("refused")), at: 5), "backingOff(watch)", [.sleep(.milliseconds(800))]),
                (.backoffElapsed, "watching", [.watch(resourceVersion: "12")]),
            ]
        ),
        (
            "a non-410 ERROR event backs off and re-watches",
            [
                (
                    received(.error(KubeStatusError(code: 500, reason: .internalError, message: "etcd")), at: 3),
                    "backingOff(watch)", [.sleep(.milliseconds(800))]
                ),
                (.backoffElapsed, "watching", [.watch(resourceVersion: "10")]),
            ]
        ),
        (
            "failures in a row double the wait; jitter adds up to as much again, never past 30 s",
            [
                (failed(.transport(.connect("x")), at: 0), "backingOff(watch)", [.sleep(.milliseconds(800))]),
                (.backoffElapsed, "watching", [.watch(resourceVersion: "10")]),
                (
                    failed(.transport(.connect("x")), at: 1, jitter: 0.5), "backingOff(watch)",
                    [.sleep(.milliseconds(2400))]
                ),
                (.backoffElapsed, "watching", [.watch(resourceVersion: "10")]),
                (
                    failed(.transport(.connect("x")), at: 2, jitter: 0.75), "backingOff(watch)",
                    [.sleep(.milliseconds(5600))]
                ),
            ]
        ),
        (
            "the wait starts over after 120 s without a failure, and not before",
            [
                (failed(.transport(.connect("x")), at: 0), "backingOff(watch)", [.sleep(.milliseconds(800))]),
                (.backoffElapsed, "watching", [.watch(resourceVersion: "10")]),
                (failed(.transport(.connect("x")), at: 119), "backingOff(watch)", [.sleep(.milliseconds(1600))]),
                (.backoffElapsed, "watching", [.watch(resourceVersion: "10")]),
                (failed(.transport(.connect("x")), at: 239), "backingOff(watch)", [.sleep(.milliseconds(800))]),
            ]
        ),
        (
            "events that do not belong to the state change nothing",
            [(.backoffElapsed, "watching", []), (.listed(items: [], resourceVersion: "99"), "watching", [])]
        ),
    ]

    @Test("transitions from watching", arguments: tables)
    func transitions(name: String, rows: [Row]) {
        var state = Self.watching
        for (index, row) in rows.enumerated() {
            let step = Self.machine.transition(state, row.event)
            #expect(Self.name(step.state) == row.state, "\(name), row \(index)")
            #expect(step.effects == row.effects, "\(name), row \(index)")
            state = step.state
        }
    }

    @Test("a failed list backs off and lists again")
    func listFailure() {
        let steps = Self.machine.run([.start, Self.failed(.transport(.timeout("t"))), .backoffElapsed])
        #expect(steps[1].effects == [.sleep(.milliseconds(800))])
        #expect(Self.name(steps[1].state) == "backingOff(list)")
        #expect(steps[2].effects == [.list])
    }

    @Test("before it starts, the machine ignores everything but start")
    func ignoresStrayEvents() {
        let steps = Self.machine.run([Self.received(.added(Self.a1)), .streamEnded, .backoffElapsed])
        #expect(steps.allSatisfy { $0.effects.isEmpty && $0.state == .idle })
    }

    @Test("the default backoff is client-go's reflector's: 800 ms doubling to 30 s, jitter 1.0, reset after 120 s")
    func defaults() throws {
        #expect(
            WatcherMachine.defaultBackoff
                == (try Backoff(base: .milliseconds(800), cap: .seconds(30), jitter: .proportional(1.0))))
        #expect(WatcherMachine.defaultBackoffReset == .seconds(120))
    }

    @Test("seeded jitter stays within the schedule's bounds")
    func seededJitterBounds() {
        var random = SplitMix64(seed: 7)
        var state = Self.machine.transition(.idle, .start).state
        var delays: [Duration] = []
        var base = Duration.milliseconds(800)
        for i in 0..<8 {
            let step = Self.machine.transition(
                state, .failed(.transport(.connect("x")), at: Self.at(i), jitter: random.unit()))
            guard case .sleep(let delay) = step.effects.first else {
                Issue.record("expected a sleep, got \(step.effects)")
                return
            }
            #expect(delay >= base && delay <= min(base * 2, .seconds(30)))
            delays.append(delay)
            base = min(base * 2, .seconds(30))
            state = Self.machine.transition(step.state, .backoffElapsed).state
        }
        #expect(Set(delays).count > 1)
    }
}
