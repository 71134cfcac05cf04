import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

#if canImport(Glibc)
    import Glibc
#endif

/// A killed local run continues where it stopped when started again with the same `--redis`.
@Suite("Run resume", .serialized)
struct RunResumeTests {
    @Test("a run SIGKILLed mid-way and started again with the same --redis finishes, every case counted once")
    func killedRunResumes() async throws {
        let redis = try await RedisServer.start()
        defer { redis.kill() }
        let count = 600
        let (path, queue, _) = try QueueTakeoverTests.run("resume", count: count, redis: redis)
        let options = ["--concurrency", "4", "--case-delay-ms", "10", "--claim-timeout-ms", "500"]
        let first = try QueueTakeoverTests.evaluator(path, redis, "evaluator-1", options)
        _ = try await first.waitForLine("queued", timeout: .seconds(30)) { $0.contains("cases queued") }
        try await RunKillTests.killFirst([first], after: 100, queue: queue)
        let before = try await queue.redis.send(["HLEN", queue.keys.recorded]).integer ?? 0
        #expect(before < Int64(count), "the kill landed mid-run")

        // Started again as a user would: the same command (a new process, so a new consumer name).
        let second = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["run", path, "--redis", redis.urlString, "--format", "json"] + options)
        let status = try await second.waitForExit(timeout: .seconds(120))
        #expect(status == .exited(0), "\(second.output.suffix(5).joined(separator: "\n"))")
        let results = try await QueueTakeoverTests.expectExactlyOnce(queue, count: count)
        let byConsumer = Dictionary(grouping: results, by: \.consumer).mapValues(\.count)
        #expect(byConsumer["evaluator-1", default: 0] == Int(before), "the first process's results stay: \(byConsumer)")
        #expect(results.count - Int(before) > 0)
    }
}
