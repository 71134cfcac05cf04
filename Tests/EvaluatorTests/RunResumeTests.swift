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
        let count = 600
        let run = try await SharedRunFixture.start("resume", count: count)
        defer { run.stop() }
        let first = try run.evaluator("evaluator-1", SharedRunFixture.killableOptions)
        _ = try await first.waitForLine("queued", timeout: .seconds(30)) { $0.contains("cases queued") }
        try await run.killFirst([first], after: 100)
        let before = try await run.recorded()
        #expect(before < Int64(count), "the kill landed mid-run")

        // Started again as a user would: the same command (a new process, so a new consumer name).
        let second = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["run", run.path, "--redis", run.redis.urlString, "--format", "json"]
                + SharedRunFixture.killableOptions)
        let status = try await second.waitForExit(timeout: .seconds(120))
        #expect(status == .exited(0), "\(second.output.suffix(5).joined(separator: "\n"))")
        let results = try await run.expectExactlyOnce(count: count)
        let byConsumer = Dictionary(grouping: results, by: \.consumer).mapValues(\.count)
        #expect(byConsumer["evaluator-1", default: 0] == Int(before), "the first process's results stay: \(byConsumer)")
        #expect(results.count - Int(before) > 0)
    }
}
