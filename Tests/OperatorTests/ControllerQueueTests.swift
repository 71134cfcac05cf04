import AssayCore
import AssayKube
import Testing

@testable import Operator

@Suite("ControllerQueue hands keys to workers")
struct ControllerQueueTests {
    static let a = ObjectKey(namespace: "ns", name: "a")
    static let b = ObjectKey(namespace: "ns", name: "b")

    @Test("a key added many times is handed out once")
    func dedupes() async {
        let queue = ControllerQueue(clock: SystemClock())
        for _ in 0..<5 { await queue.add(Self.a) }
        await queue.add(Self.b)
        #expect(await queue.depth == 2)
        let first = await queue.next()
        let second = await queue.next()
        #expect(Set([first, second]) == [Self.a, Self.b])
        #expect(await queue.depth == 2)
        await queue.done(Self.a)
        await queue.done(Self.b)
        #expect(await queue.depth == 0)
    }

    @Test("a key being reconciled is not handed out again until done, then comes back once")
    func oneWorkerPerKey() async {
        let queue = ControllerQueue(clock: SystemClock())
        await queue.add(Self.a)
        #expect(await queue.next() == Self.a)
        await queue.add(Self.a)
        await queue.add(Self.b)
        // Only b is ready while a is processing.
        #expect(await queue.next() == Self.b)
        await queue.done(Self.a)
        #expect(await queue.next() == Self.a)
    }

    @Test("a worker waiting on an empty queue wakes when a delayed key becomes ready")
    func delayedKey() async {
        let queue = ControllerQueue(clock: SystemClock())
        let start = ContinuousClock.now
        await queue.add(Self.a, after: .milliseconds(80))
        let key = await queue.next()
        #expect(key == Self.a)
        #expect(ContinuousClock.now - start >= .milliseconds(70))
    }

    @Test("a worker waiting on an empty queue wakes when another task adds a key")
    func wakesOnAdd() async {
        let queue = ControllerQueue(clock: SystemClock())
        async let key = queue.next()
        await queue.add(Self.b)
        #expect(await key == Self.b)
    }

    @Test("failures back off per key and forgetting resets the backoff")
    func backoff() async {
        let queue = ControllerQueue(clock: SystemClock())
        let first = await queue.addRateLimited(Self.a)
        let second = await queue.addRateLimited(Self.a)
        #expect(first == .milliseconds(5))
        #expect(second == .milliseconds(10))
        await queue.forget(Self.a)
        #expect(await queue.addRateLimited(Self.a) == .milliseconds(5))
    }

    @Test("a ready key goes to one waiting worker, and the others keep waiting")
    func oneWakeUpPerKey() async {
        let queue = ControllerQueue(clock: SystemClock())
        await withTaskGroup(of: ObjectKey?.self) { group in
            for _ in 0..<4 { group.addTask { await queue.next() } }
            while await queue.waitingWorkers < 4 { await Task.yield() }
            await queue.add(Self.a)
            #expect(await group.next() == Self.a)
            #expect(await queue.waitingWorkers == 3)
            await queue.shutdown()
            var rest: [ObjectKey?] = []
            for await key in group { rest.append(key) }
            #expect(rest == [nil, nil, nil])
        }
    }

    @Test("shutting down wakes every waiting worker with no key")
    func shutdown() async {
        let queue = ControllerQueue(clock: SystemClock())
        async let one = queue.next()
        async let two = queue.next()
        await queue.shutdown()
        #expect(await one == nil)
        #expect(await two == nil)
    }
}
