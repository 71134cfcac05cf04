import Testing

@testable import AssayKube

@Suite("WatcherState")
struct KubeWatcherStateTests {
    typealias Input = WatcherState.Input
    typealias Output = WatcherState.Output

    static let a1 = KubeObject.configMap("a", rv: "1")
    static let b2 = KubeObject.configMap("b", rv: "2")
    static let a5 = KubeObject.configMap("a", rv: "5")
    static let c6 = KubeObject.configMap("c", rv: "6")
    static let gone = KubeStatusError(code: 410, reason: .expired, message: "too old resource version: 1 (40)")
    static let noJitter = WatchBackoff(jitter: 0)

    /// Feeds `inputs` in order and returns every output with the final state.
    static func run(_ inputs: [Input], from start: WatcherState = WatcherState(backoff: noJitter)) -> (
        [[Output]], WatcherState
    ) {
        var state = start
        var all: [[Output]] = []
        for input in inputs {
            let (outputs, next) = WatcherState.step(state, input)
            all.append(outputs)
            state = next
        }
        return (all, state)
    }

    /// The state after start and a list of a1 and b2 at resourceVersion 10.
    static var watching: WatcherState {
        run([.start, .listed(items: [a1, b2], resourceVersion: "10")]).1
    }

    @Test("start lists; the list is emitted, synced, and the watch starts from the list's resourceVersion")
    func listThenWatch() {
        let (outputs, state) = Self.run([.start, .listed(items: [Self.a1, Self.b2], resourceVersion: "10")])
        #expect(outputs[0] == [.list])
        #expect(
            outputs[1] == [
                .emit(.added(Self.a1)), .emit(.added(Self.b2)), .emit(.synced), .watch(resourceVersion: "10"),
            ])
        #expect(state.phase == .watching)
        #expect(state.resourceVersion == "10")
    }

    @Test(
        "watch events update objects and the resourceVersion; bookmarks move only the resourceVersion",
        arguments: [
            (WatchEvent.modified(a5), [Output.emit(.modified(a5))], "5", 2),
            (.added(c6), [.emit(.added(c6))], "6", 3),
            (
                .deleted(KubeObject.configMap("b", rv: "7")), [.emit(.deleted(KubeObject.configMap("b", rv: "7")))],
                "7", 1
            ),
            (.bookmark(resourceVersion: "42"), [], "42", 2),
        ])
    func events(event: WatchEvent, expected: [Output], rv: String, count: Int) {
        let (outputs, state) = Self.run([.event(event)], from: Self.watching)
        #expect(outputs[0] == expected)
        #expect(state.resourceVersion == rv)
        #expect(state.objects.count == count)
        #expect(state.phase == .watching)
    }

    @Test("a normal end of the stream re-watches at once from the last resourceVersion, bookmark included")
    func rewatchAfterClose() {
        let (outputs, _) = Self.run(
            [.event(.modified(Self.a5)), .event(.bookmark(resourceVersion: "30")), .streamEnded], from: Self.watching)
        #expect(outputs[2] == [.watch(resourceVersion: "30")])
    }

    @Test(
        "410 Gone as the watch's status or as an ERROR event relists; the relist reports vanished objects as deleted",
        arguments: [
            Input.failed(.api(gone), at: .seconds(1)),
            .event(.error(gone)),
            .failed(.api(KubeStatusError(code: 410, reason: .gone, message: "")), at: .zero),
        ])
    func goneRelists(trigger: Input) {
        let (outputs, state) = Self.run(
            [trigger, .listed(items: [Self.a5, Self.c6], resourceVersion: "50")], from: Self.watching)
        #expect(outputs[0] == [.list])
        #expect(
            outputs[1] == [
                .emit(.modified(Self.a5)), .emit(.added(Self.c6)), .emit(.deleted(Self.b2)), .emit(.synced),
                .watch(resourceVersion: "50"),
            ])
        #expect(state.objects.keys.sorted() == [Self.a5.key, Self.c6.key])
        #expect(state.backoff.current == nil, "410 is not a failure and does not back off")
    }

    @Test("an unchanged object is not re-emitted by a relist")
    func relistUnchanged() {
        let (outputs, _) = Self.run(
            [.failed(.api(Self.gone), at: .zero), .listed(items: [Self.a1, Self.b2], resourceVersion: "11")],
            from: Self.watching)
        #expect(outputs[1] == [.emit(.synced), .watch(resourceVersion: "11")])
    }

    @Test("a failed watch backs off and then watches again from the same resourceVersion")
    func watchFailureBacksOff() {
        let failure = KubeError.transport(.connect("refused"))
        let (outputs, state) = Self.run(
            [.event(.bookmark(resourceVersion: "12")), .failed(failure, at: .seconds(5)), .backoffElapsed],
            from: Self.watching)
        #expect(outputs[1] == [.sleep(.milliseconds(800))])
        #expect(outputs[2] == [.watch(resourceVersion: "12")])
        #expect(state.phase == .watching)
    }

    @Test("a failed list backs off and lists again; a non-410 ERROR event backs off and re-watches")
    func listFailureAndErrorEvent() {
        let (listOutputs, _) = Self.run([
            .start, .failed(.transport(.timeout("t")), at: .zero), .backoffElapsed,
        ])
        #expect(listOutputs[1] == [.sleep(.milliseconds(800))])
        #expect(listOutputs[2] == [.list])
        let serverError = KubeStatusError(code: 500, reason: .internalError, message: "etcd")
        let (outputs, _) = Self.run(
            [.event(.error(serverError), at: .seconds(3)), .backoffElapsed], from: Self.watching)
        #expect(outputs[0] == [.sleep(.milliseconds(800))])
        #expect(outputs[1] == [.watch(resourceVersion: "10")])
    }

    @Test("inputs that do not belong to the phase change nothing")
    func ignoresStrayInputs() {
        let (outputs, state) = Self.run([.event(.added(Self.a1)), .streamEnded, .backoffElapsed])
        #expect(outputs == [[], [], []])
        #expect(state.phase == .idle)
    }
}

@Suite("WatchBackoff")
struct KubeWatchBackoffTests {
    @Test("without jitter the delay doubles from 800 ms and stops at 30 s")
    func schedule() {
        var backoff = WatchBackoff(jitter: 0)
        let delays = (0..<8).map { i in backoff.next(at: .seconds(i), random: 0.5) }
        #expect(
            delays == [
                .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400),
                .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30),
            ])
    }

    @Test(
        "jitter adds up to 100 % of the base delay, never beyond 30 s",
        arguments: [(0.0, Duration.milliseconds(800)), (0.5, .milliseconds(1200)), (0.75, .milliseconds(1400))])
    func jitter(random: Double, expected: Duration) {
        var backoff = WatchBackoff()
        #expect(backoff.next(at: .zero, random: random) == expected)
        var capped = WatchBackoff()
        for i in 0..<10 { _ = capped.next(at: .seconds(i), random: 0) }
        #expect(capped.next(at: .seconds(11), random: 0.99) == .seconds(30))
    }

    @Test("the delay resets to 800 ms after 120 s without failures, and not before")
    func reset() {
        var backoff = WatchBackoff(jitter: 0)
        for i in 0..<5 { _ = backoff.next(at: .seconds(i), random: 0) }
        #expect(backoff.next(at: .seconds(4 + 119), random: 0) == .milliseconds(12800 * 2))
        #expect(backoff.next(at: .seconds(123 + 120), random: 0) == .milliseconds(800))
    }

    @Test("the watcher's seeded jitter stays within the schedule's bounds")
    func seededJitterBounds() {
        var state = KubeWatcherStateTests.watching
        state = WatcherState.step(state, .failed(.transport(.connect("x")), at: .zero)).next
        var bases: [Duration] = []
        var delays: [Duration] = []
        var base = Duration.milliseconds(800)
        var seeded = WatcherState(seed: 7)
        seeded = WatcherState.step(seeded, .start).next
        for i in 0..<8 {
            let (outputs, next) = WatcherState.step(seeded, .failed(.transport(.connect("x")), at: .seconds(i)))
            guard case .sleep(let delay) = outputs.first else {
                Issue.record("expected a sleep, got \(outputs)")
                return
            }
            delays.append(delay)
            bases.append(base)
            base = min(base * 2, .seconds(30))
            seeded = WatcherState.step(next, .backoffElapsed).next
        }
        for (delay, base) in zip(delays, bases) {
            #expect(delay >= base && delay <= min(base * 2, .seconds(30)))
        }
        #expect(Set(delays).count > 1)
    }
}
