import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

/// Heartbeat claims and batch recording of the Redis work queue, against a real redis-server.
@Suite("Redis work queue: heartbeats and batches", .serialized)
struct ClaimHeartbeatTests {
    @Test(
        "a consumer that keeps beating keeps its claims past the visibility timeout; once it stops, another takes them over"
    )
    func heartbeatKeepsClaims() async throws {
        let server = try await RedisServer.start()
        defer { server.kill() }
        let plan = WorkQueueTests.plan("heartbeat", cases: 4)
        let visibility = Duration.milliseconds(300)
        let live = WorkQueueTests.queue(server, plan, consumer: "live", visibility: visibility)
        let other = WorkQueueTests.queue(server, plan, consumer: "other", visibility: visibility)
        try await live.prepare(plan)
        let held = try await live.claim(max: 4)
        #expect(held.count == 4)
        #expect(live.claimRefreshInterval == .milliseconds(75))
        // Five visibility timeouts of beating: nothing lapses, so the other consumer gets nothing.
        let beatUntil = ContinuousClock.now + visibility * 5
        var lastBeat = ContinuousClock.now
        while ContinuousClock.now < beatUntil {
            try await live.refreshClaims()
            lastBeat = ContinuousClock.now
            #expect(try await other.claim(max: 4).isEmpty, "a live consumer's claim was taken")
            try await Task.sleep(for: .milliseconds(50))
        }
        // The live consumer stops beating (as if killed): its claims move within the timeout and a beat.
        var taken: [ClaimedCase] = []
        try await eventually("the claims are taken over", within: .seconds(10), every: .milliseconds(20)) {
            taken += try await other.claim(max: 4)
            return taken.count == 4
        }
        let elapsed = ContinuousClock.now - lastBeat
        #expect(elapsed >= visibility && elapsed < visibility + other.configuration.beatInterval * 3, "\(elapsed)")
        #expect(taken.allSatisfy(\.reclaimed) && Set(taken.map(\.entryID)) == Set(held.map(\.entryID)))
        // The slow consumer finishing late records nothing twice.
        let late = try await live.record(
            held.map { FinishedCase(result: WorkQueueTests.result(for: $0.suiteCase, consumer: "live"), claimed: $0) })
        let again = try await other.record(
            taken.map { FinishedCase(result: WorkQueueTests.result(for: $0.suiteCase, consumer: "other"), claimed: $0) }
        )
        #expect(late == Array(repeating: .recorded, count: 4) && again == Array(repeating: .duplicate, count: 4))
        try await WorkQueueTests.expectConsistent(other, plan)
    }

    @Test("a consumer that stalled past the timeout and beats again leaves its taken-over claims with the taker")
    func stalledConsumerDoesNotTakeBack() async throws {
        let server = try await RedisServer.start()
        defer { server.kill() }
        let plan = WorkQueueTests.plan("stalled", cases: 3)
        let visibility = Duration.milliseconds(200)
        let stalled = WorkQueueTests.queue(server, plan, consumer: "stalled", visibility: visibility)
        let taker = WorkQueueTests.queue(server, plan, consumer: "taker", visibility: visibility)
        try await stalled.prepare(plan)
        let held = try await stalled.claim(max: 3)
        #expect(held.count == 3)
        // The stalled consumer misses its beats; the taker takes every claim over.
        var taken: [ClaimedCase] = []
        try await eventually("the claims are taken over", within: .seconds(10), every: .milliseconds(20)) {
            taken += try await taker.claim(max: 3)
            return taken.count == 3
        }
        // It comes back and beats: nothing moves back to it.
        try await stalled.refreshClaims()
        let redis = RedisClient(server.clientConfiguration())
        func owners() async throws -> [String] {
            let pending = try await redis.send(
                ["XPENDING", stalled.keys.cases, RedisWorkQueue.Configuration.group, "-", "+", "10"])
            return (pending.array ?? []).compactMap { $0.array?[1].text }
        }
        #expect(try await owners() == ["taker", "taker", "taker"])
        // The taker's beat keeps them, and what the stalled consumer records late is counted once.
        try await taker.refreshClaims()
        #expect(try await owners() == ["taker", "taker", "taker"])
        let late = try await stalled.record(
            held.map {
                FinishedCase(result: WorkQueueTests.result(for: $0.suiteCase, consumer: "stalled"), claimed: $0)
            })
        let again = try await taker.record(
            taken.map { FinishedCase(result: WorkQueueTests.result(for: $0.suiteCase, consumer: "taker"), claimed: $0) }
        )
        #expect(late == Array(repeating: .recorded, count: 3) && again == Array(repeating: .duplicate, count: 3))
        try await WorkQueueTests.expectConsistent(taker, plan)
    }

    @Test(
        "one batch records each new case once, reports cases recorded before or twice in the batch as duplicates, and acknowledges every entry"
    )
    func batchRecording() async throws {
        let server = try await RedisServer.start()
        defer { server.kill() }
        let plan = WorkQueueTests.plan("batch", cases: 10)
        let queue = WorkQueueTests.queue(server, plan, consumer: "b")
        try await queue.prepare(plan)
        let claimed = try await queue.claim(max: 10)
        func finished(_ item: ClaimedCase) -> FinishedCase {
            FinishedCase(result: WorkQueueTests.result(for: item.suiteCase, consumer: "b"), claimed: item)
        }
        #expect(try await queue.record([finished(claimed[0]), finished(claimed[1])]) == [.recorded, .recorded])
        let outcomes = try await queue.record(
            [finished(claimed[1])] + claimed[2...].map(finished) + [finished(claimed[2])])
        #expect(outcomes == [.duplicate] + Array(repeating: .recorded, count: 8) + [.duplicate])
        let redis = RedisClient(server.clientConfiguration())
        let pending = try await redis.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(pending.array?.first?.integer == 0, "every delivery is acknowledged")
        #expect(try await queue.results(offset: 0, limit: 20).map(\.caseID) == claimed.map(\.suiteCase.id))
        try await WorkQueueTests.expectConsistent(queue, plan)
    }

    @Test("counters summed in the script equal a recount of the results to the last bit")
    func countersAreExact() async throws {
        let server = try await RedisServer.start()
        defer { server.kill() }
        let plan = WorkQueueTests.plan("exact", cases: 40)
        let queue = WorkQueueTests.queue(server, plan, consumer: "e")
        try await queue.prepare(plan)
        let claimed = try await queue.claim(max: 40)
        // Scores with no short decimal form: a lossy number format in the script would show.
        let batch = claimed.enumerated().map { index, item in
            var result = WorkQueueTests.result(for: item.suiteCase, consumer: "e")
            result.targets[0].criteria[0].score = 1.0 / Double(index + 3)
            return FinishedCase(result: result, claimed: item)
        }
        _ = try await queue.record(Array(batch[..<7]))
        _ = try await queue.record(Array(batch[7...]))
        let results = try await queue.results(offset: 0, limit: 50)
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates == RunTally(results).aggregates(info: plan.info, seeded: true, cancelled: false))
    }
}
