import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

#if canImport(Glibc)
    import Glibc
#endif

/// What the tests of a run shared through Redis check on ``SharedRunFixture``.
extension SharedRunFixture {
    /// Waits (on Redis's state, not a timer) until `results` are recorded and the first evaluator
    /// holds unfinished cases, then SIGKILLs it.
    func killFirst(_ evaluators: [ChildProcess], after results: Int64) async throws {
        try await eventually("\(results) results", within: .seconds(60), every: .milliseconds(5)) {
            let held = try await self.client.send([
                "XPENDING", self.queue.keys.cases, RedisWorkQueue.Configuration.group, "-", "+", "1", "evaluator-1",
            ])
            return try await self.recorded() >= results && !(held.array ?? []).isEmpty
        }
        evaluators[0].signal(SIGKILL)
        #expect(try await evaluators[0].waitForExit() == .signalled(SIGKILL))
    }

    /// Every evaluator but the first exits with 0 within two minutes.
    func expectTheOthersFinish(_ evaluators: [ChildProcess]) async throws {
        for evaluator in evaluators.dropFirst() {
            let status = try await evaluator.waitForExit(timeout: .seconds(120))
            #expect(status == .exited(0), "\(evaluator.output.suffix(5).joined(separator: "\n"))")
        }
    }

    /// `count` results, one per case, the run succeeded, and every case is acknowledged.
    @discardableResult
    func expectExactlyOnce(count: Int) async throws -> [CaseResult] {
        let results = try await queue.results(offset: 0, limit: count + 100)
        #expect(results.count == count && Set(results.map(\.caseID)).count == count)
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates.recorded == count && aggregates.phase == .succeeded)
        let pending = try await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(pending.array?.first?.integer == 0, "every case is acknowledged")
        return results
    }
}
