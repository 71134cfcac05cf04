import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

#if canImport(Glibc)
    import Glibc
#endif

/// `assay-evaluator run --redis` processes sharing a run: the queue's Redis cost per case, and the
/// heartbeat that decides when a claim is taken over.
@Suite("Run queue: commands per case, heartbeats and takeover", .serialized)
struct QueueTakeoverTests {
    /// Commands Redis has run so far (`INFO commandstats`), scripts' inner commands included and
    /// the `INFO` calls themselves excluded.
    static func commands(_ client: RedisClient) async throws -> Int {
        let info = try await client.send(["INFO", "commandstats"]).text ?? ""
        var total = 0
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            guard !line.hasPrefix("cmdstat_info:"), let stats = line.split(separator: ":").last else { continue }
            let calls = stats.split(separator: ",").first { $0.hasPrefix("calls=") }
            total += calls.flatMap { Int($0.dropFirst("calls=".count)) } ?? 0
        }
        return total
    }

    @Test("900 cases on three evaluators cost Redis at most 4 commands per case, seeding and recovery checks included")
    func commandsPerCase() async throws {
        let count = 900
        let run = try await SharedRunFixture.start("commands", count: count)
        defer { run.stop() }
        let client = RedisClient(url: try RedisURL(parsing: run.redis.urlString))
        let before = try await Self.commands(client)
        // 200 ms a case, 64 in flight per process: the shape of a shared run.
        let evaluators = try (1...3).map {
            try run.evaluator("evaluator-\($0)", ["--concurrency", "64", "--case-delay-ms", "200"])
        }
        for evaluator in evaluators {
            let status = try await evaluator.waitForExit(timeout: .seconds(120))
            #expect(status == .exited(0), "\(evaluator.output.suffix(5).joined(separator: "\n"))")
        }
        let used = try await Self.commands(client) - before
        let perCase = Double(used) / Double(count)
        print("redis commands: \(used) for \(count) cases = \(perCase) per case")
        #expect(perCase <= 4, "\(used) commands for \(count) cases")
        try await run.expectExactlyOnce(count: count)
    }

    @Test(
        "an evaluator SIGKILLed in the middle of a 60 s case loses it to a live one within 15 s (the default timeout), counted once"
    )
    func killedInALongCase() async throws {
        let count = 30
        let run = try await SharedRunFixture.start("long-case", count: count)
        defer { run.stop() }
        let (queue, client) = (run.queue, run.client)
        // The first evaluator's cases take 60 s each (a slow judge); it holds 8 when it is killed.
        let slow = try run.evaluator("slow", ["--concurrency", "8", "--case-delay-ms", "60000"])
        try await eventually("the slow evaluator holds 8 cases", within: .seconds(60)) {
            let held = try? await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
            return held?.array?.first?.integer == 8
        }
        let fast = try run.evaluator("fast", ["--concurrency", "4"])
        try await eventually("the fast evaluator records the other 22", within: .seconds(60)) {
            try await client.send(["HLEN", queue.keys.recorded]).integer == Int64(count - 8)
        }
        slow.signal(SIGKILL)
        let killed = ContinuousClock.now
        #expect(try await slow.waitForExit() == .signalled(SIGKILL))
        try await eventually("every case is recorded", within: .seconds(30), every: .milliseconds(20)) {
            try await client.send(["HLEN", queue.keys.recorded]).integer == Int64(count)
        }
        let takeover = ContinuousClock.now - killed
        print("the killed evaluator's cases were finished \(takeover) after the kill")
        #expect(takeover < .seconds(15), "\(takeover)")
        #expect(try await fast.waitForExit(timeout: .seconds(30)) == .exited(0))
        let results = try await run.expectExactlyOnce(count: count)
        #expect(results.allSatisfy { $0.consumer == "fast" })
    }

    @Test("a live evaluator's case four times longer than the claim timeout is never taken from it")
    func slowCaseIsNotStolen() async throws {
        let count = 4
        let run = try await SharedRunFixture.start("slow-case", count: count)
        defer { run.stop() }
        let (queue, client) = (run.queue, run.client)
        let timeout = ["--claim-timeout-ms", "1000"]
        let slow = try run.evaluator("slow", ["--concurrency", "4", "--case-delay-ms", "4000"] + timeout)
        try await eventually("the slow evaluator holds every case", within: .seconds(60)) {
            let held = try? await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
            return held?.array?.first?.integer == Int64(count)
        }
        let idle = try run.evaluator("idle", ["--concurrency", "4"] + timeout)
        #expect(try await slow.waitForExit(timeout: .seconds(60)) == .exited(0))
        #expect(try await idle.waitForExit(timeout: .seconds(30)) == .exited(0))
        let results = try await run.expectExactlyOnce(count: count)
        #expect(results.allSatisfy { $0.consumer == "slow" }, "\(results.map(\.consumer))")
    }
}
