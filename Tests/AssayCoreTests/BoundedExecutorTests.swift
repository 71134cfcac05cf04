import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AssayCore

/// The executor that keeps CPU-bound work off the event loops: bounded queue, shedding, cancellation.
@Suite("BoundedExecutor")
struct BoundedExecutorTests {
    @Test("jobs run on the executor's named threads and return their results")
    func runsOnItsThreads() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 2, maxQueued: 8, label: "test-work"))
        defer { executor.stop() }
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await executor.run {
                        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(names.count == 4)
        #expect(names.allSatisfy { $0.hasPrefix("test-work-") }, "\(names)")
    }

    @Test("admitsNew says whether a new job would be queued: not once the queue is full, nor after stop")
    func admitsNew() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 1))
        #expect(executor.admitsNew)
        let release = DispatchSemaphore(value: 0)
        let blocked = await executor.occupyThread(until: release)
        #expect(executor.admitsNew, "the thread is busy, the queue has room")
        let queued = Task { try await executor.run { 1 } }
        try await eventually("the second job waits") { executor.queued == 1 }
        #expect(!executor.admitsNew)
        release.signal()
        try await blocked.value
        #expect(try await queued.value == 1)
        try await eventually("the thread is free again") { executor.busy == 0 }
        #expect(executor.admitsNew)
        executor.stop()
        #expect(!executor.admitsNew)
    }

    @Test("a new request's job is shed with a Retry-After when the queue is full; an admitted job still queues")
    func shedsWhenFull() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 1))
        defer { executor.stop() }
        let release = DispatchSemaphore(value: 0)
        let blocked = await executor.occupyThread(until: release)
        let queued = Task { try await executor.run { 1 } }
        try await eventually("the second job waits") { executor.queued == 1 }
        do {
            _ = try await executor.run { 2 }
            Issue.record("a third new job must be refused")
        } catch .overloaded(let waiting, let retryAfter) {
            #expect(waiting == 1)
            #expect(retryAfter >= .seconds(1))
        } catch {
            Issue.record("unexpected \(error)")
        }
        let admitted = Task { try await executor.run(.admitted) { 3 } }
        try await eventually("the admitted job waits too") { executor.queued == 2 }
        release.signal()
        try await blocked.value
        #expect(try await queued.value == 1)
        #expect(try await admitted.value == 3)
    }

    @Test("a job whose request is cancelled before it starts never runs")
    func cancelledJobsDoNotRun() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 4))
        defer { executor.stop() }
        let release = DispatchSemaphore(value: 0)
        let blocked = await executor.occupyThread(until: release)
        let cancellation = WorkCancellation()
        let ran = Atomic<Bool>(false)
        let job = Task { try await executor.run(cancellation: cancellation) { ran.store(true, ordering: .relaxed) } }
        try await eventually("the job waits") { executor.queued == 1 }
        cancellation.cancel(.clientGone)
        release.signal()
        try await blocked.value
        await #expect(throws: BoundedExecutor.Rejection.cancelled(.clientGone)) { try await job.value }
        let didRun = ran.load(ordering: .relaxed)
        #expect(!didRun)
    }

    @Test("stopping rejects what waits and refuses what comes")
    func stopRejects() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 4))
        let release = DispatchSemaphore(value: 0)
        let blocked = await executor.occupyThread(until: release)
        let waiting = Task { try await executor.run { 1 } }
        try await eventually("the job waits") { executor.queued == 1 }
        executor.stop()
        await #expect(throws: BoundedExecutor.Rejection.stopped) { try await waiting.value }
        await #expect(throws: BoundedExecutor.Rejection.stopped) { try await executor.run { 2 } }
        release.signal()
        try await blocked.value
    }

    @Test("a budget stops at its step limit or at the first checkpoint after a cancellation")
    func budgetStops() {
        var budget = WorkBudget(steps: 10)
        var granted = 0
        while budget.spend() { granted += 1 }
        #expect(granted == 10)
        #expect(budget.exhaustion == .steps(limit: 10))
        let again = budget.spend()
        #expect(!again, "stays exhausted")

        let cancellation = WorkCancellation()
        var cancellable = WorkBudget(steps: 1_000_000, cancellation: cancellation)
        let first = cancellable.spend()
        #expect(first)
        cancellation.cancel(.shutdown)
        var steps = 0
        while cancellable.spend() { steps += 1 }
        #expect(steps < WorkBudget.checkInterval)
        #expect(cancellable.exhaustion == .cancelled(.shutdown))
    }

    @Test("a caller resumed with its result finds the thread free, so its next request is admitted, not shed")
    func resultArrivesAfterTheThreadIsFree() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 0))
        defer { executor.stop() }
        for round in 0..<500 {
            #expect(try await executor.run { round } == round)
            // Counted finished before the caller resumed: no window where the one thread still looks busy.
            #expect(executor.busy == 0 && executor.admitsNew, "round \(round)")
            if executor.busy != 0 { return }
        }
    }
}
