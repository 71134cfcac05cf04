import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

/// The Redis Streams work queue against a real redis-server.
@Suite("Redis work queue", .serialized)
struct WorkQueueTests {
    static let targets = ["small"]
    static let criteria = ["contains"]

    static func plan(_ name: String, cases count: Int) -> RunPlan {
        RunPlan(
            id: RunID(name)!, suiteName: name, cases: (0..<count).map { SuiteCase(id: "case-\($0)", output: "o\($0)") },
            targets: targets, criteria: criteria, passThreshold: 0.5, resultTTL: .seconds(600))
    }

    static func queue(
        _ server: RedisServer, _ plan: RunPlan, consumer: String, visibility: Duration = .seconds(60)
    ) -> RedisWorkQueue {
        RedisWorkQueue(
            redis: RedisClient(server.clientConfiguration()),
            configuration: .init(run: plan.id, consumer: consumer, visibilityTimeout: visibility))
    }

    /// A result whose pass, score and latency depend on the case, with exactly representable sums.
    static func result(for suiteCase: SuiteCase, consumer: String) -> CaseResult {
        let index = Int(suiteCase.id.split(separator: "-").last!)!
        let passed = index % 3 != 0
        let score = passed ? 1.0 : 0.5
        return CaseResult(
            caseID: suiteCase.id,
            targets: [
                TargetResult(
                    target: "small", output: suiteCase.output ?? "", latencyMs: Double(index % 17), inputTokens: index,
                    outputTokens: 1, passed: passed, score: score,
                    criteria: [
                        CriterionScore(name: "contains", type: "contains", passed: passed, score: score, reason: "")
                    ])
            ], consumer: consumer)
    }

    /// Claims and records until the run is complete, retrying while Redis is unreachable.
    static func drain(_ queue: RedisWorkQueue, consumer: String, deadline: ContinuousClock.Instant) async throws {
        while ContinuousClock.now < deadline {
            do {
                if let aggregates = try await queue.aggregates(), aggregates.isComplete { return }
                for claimed in try await queue.claim(max: 16) {
                    _ = try await queue.record(result(for: claimed.suiteCase, consumer: consumer), for: claimed)
                }
            } catch let error as RedisError where error.isConnectionError {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        Issue.record("the run did not complete in time")
    }

    /// The stored results recounted must equal the live aggregates, with exactly one result per case.
    static func expectConsistent(_ queue: RedisWorkQueue, _ plan: RunPlan) async throws {
        let results = try await queue.results(offset: 0, limit: plan.cases.count + 10)
        #expect(results.count == plan.cases.count)
        #expect(Set(results.map(\.caseID)) == Set(plan.cases.map(\.id)))
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates == RunTally(results).aggregates(info: plan.info, seeded: true, cancelled: false))
        #expect(aggregates.phase == .succeeded)
    }

    @Test("seeding twice, or from two processes at once, queues every case exactly once")
    func seedingTwice() async throws {
        let server = try await RedisServer.start()
        let plan = Self.plan("seed-twice", cases: 1_234)
        let a = Self.queue(server, plan, consumer: "a")
        let b = Self.queue(server, plan, consumer: "b")
        async let first: Void = a.prepare(plan)
        async let second: Void = b.prepare(plan)
        _ = try await (first, second)
        try await a.prepare(plan)
        let redis = RedisClient(server.clientConfiguration())
        #expect(try await redis.send(["XLEN", a.keys.cases]).integer == 1_234)
        #expect(try await redis.send(["HGET", a.keys.meta, "seeded"]).integer == 1_234)
        try await Self.drain(a, consumer: "a", deadline: .now + .seconds(30))
        try await Self.expectConsistent(a, plan)
    }

    @Test("a case left by a dead consumer is taken over after the visibility timeout, and racing records count once")
    func reclaimRace() async throws {
        let server = try await RedisServer.start()
        let plan = Self.plan("reclaim-race", cases: 5)
        let dead = Self.queue(server, plan, consumer: "dead")
        let taker = Self.queue(server, plan, consumer: "taker", visibility: .milliseconds(100))
        try await dead.prepare(plan)
        let held = try await dead.claim(max: 5)
        #expect(held.count == 5)
        #expect(try await taker.claim(max: 5).isEmpty, "nothing is claimable before the visibility timeout")
        // Poll (not sleep a fixed time) until the pending entries are idle long enough.
        var reclaimed: [ClaimedCase] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while reclaimed.count < 5, ContinuousClock.now < deadline {
            reclaimed += try await taker.claim(max: 5)
        }
        #expect(reclaimed.count == 5 && reclaimed.allSatisfy(\.reclaimed))
        // The "dead" consumer was only slow: both record every case at the same time.
        let outcomes = try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
            for (old, new) in zip(held, reclaimed) {
                group.addTask { try await dead.record(Self.result(for: old.suiteCase, consumer: "dead"), for: old) }
                group.addTask { try await taker.record(Self.result(for: new.suiteCase, consumer: "taker"), for: new) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count { $0 == .recorded } == 5)
        #expect(outcomes.count { $0 == .duplicate } == 5)
        let redis = RedisClient(server.clientConfiguration())
        let pending = try await redis.send(["XPENDING", dead.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(pending.array?.first?.integer == 0, "every delivery is acknowledged")
        try await Self.expectConsistent(taker, plan)
    }

    @Test(
        "a Redis restart mid-run loses no result once Redis is back",
        arguments: [true, false])
    func restart(snapshot: Bool) async throws {
        let server = try await RedisServer.start()
        let plan = Self.plan("restart-\(snapshot)", cases: 300)
        let queue = Self.queue(server, plan, consumer: "only")
        try await queue.prepare(plan)
        var recorded = 0
        while recorded < 100 {
            for claimed in try await queue.claim(max: 10) {
                if try await queue.record(Self.result(for: claimed.suiteCase, consumer: "only"), for: claimed)
                    == .recorded
                {
                    recorded += 1
                }
            }
        }
        // Some cases are claimed but not recorded when Redis goes away.
        let inFlight = try await queue.claim(max: 10)
        let redis = RedisClient(server.clientConfiguration())
        if snapshot { _ = try await redis.send(["SAVE"]) }
        server.kill()
        await #expect(throws: RedisError.self) { try await queue.claim(max: 1) }
        try await server.start()
        // Results of cases claimed before the restart are retried and counted once.
        // (The first command on each pooled connection reports the broken connection, as a worker's
        // retry would see it.)
        for claimed in inFlight {
            while true {
                do {
                    _ = try await queue.record(Self.result(for: claimed.suiteCase, consumer: "only"), for: claimed)
                    break
                } catch let error as RedisError where error.isConnectionError {
                    continue
                }
            }
        }
        try await Self.drain(queue, consumer: "only", deadline: .now + .seconds(30))
        try await Self.expectConsistent(queue, plan)
    }

    @Test("a cancelled run records nothing more and reports Cancelled")
    func cancel() async throws {
        let server = try await RedisServer.start()
        let plan = Self.plan("cancelled", cases: 3)
        let queue = Self.queue(server, plan, consumer: "c")
        try await queue.prepare(plan)
        let claimed = try await queue.claim(max: 3)
        #expect(
            try await queue.record(Self.result(for: claimed[0].suiteCase, consumer: "c"), for: claimed[0]) == .recorded)
        try await queue.cancel()
        #expect(
            try await queue.record(Self.result(for: claimed[1].suiteCase, consumer: "c"), for: claimed[1]) == .cancelled
        )
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates.phase == .cancelled && aggregates.recorded == 1)
        let missing = Self.queue(server, Self.plan("never-created", cases: 1), consumer: "c")
        try await missing.cancel()
        #expect(try await missing.aggregates() == nil, "cancelling an unknown run creates nothing")
    }

    @Test("results page in recording order and expire with the run's TTL")
    func pagingAndTTL() async throws {
        let server = try await RedisServer.start()
        let plan = Self.plan("paging", cases: 25)
        let queue = Self.queue(server, plan, consumer: "c")
        try await queue.prepare(plan)
        var order: [String] = []
        for claimed in try await queue.claim(max: 25) {
            _ = try await queue.record(Self.result(for: claimed.suiteCase, consumer: "c"), for: claimed)
            order.append(claimed.suiteCase.id)
        }
        #expect(try await queue.results(offset: 10, limit: 5).map(\.caseID) == Array(order[10..<15]))
        #expect(try await queue.results(offset: 24, limit: 5).map(\.caseID) == [order[24]])
        let redis = RedisClient(server.clientConfiguration())
        for key in queue.keys.all(targets: Self.targets) {
            let ttl = try await redis.send(["TTL", key]).integer ?? -2
            #expect((1...600).contains(ttl), "\(key) has TTL \(ttl)")
        }
        #expect(
            try await RedisWorkQueue(redis: redis, configuration: .init(run: RunID("nope")!, consumer: "x"))
                .aggregates() == nil)
    }
}
