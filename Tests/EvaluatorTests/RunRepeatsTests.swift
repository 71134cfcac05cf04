import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis
@testable import Suites

#if canImport(Glibc)
    import Glibc
#endif

/// `spec.repeats` and `--repeats`: every (case, repeat) is a work item of its own, counted once.
@Suite("Run with repeats", .serialized)
struct RunRepeatsTests {
    /// A suite of `count` cases with given outputs, every tenth of them wrong, and `repeats: 3`.
    static func suite(_ name: String, count: Int, repeats: Int) throws -> String {
        let cases = (0..<count).map { index in
            "{\"id\": \"case-\(index)\", \"output\": \"\(index % 10 == 0 ? "wrong" : "answer \(index)")\"}"
        }
        return try SharedRunFixture.suiteFile(
            name,
            spec: """
                  targets:
                  - name: given
                    prompt: "{{input}}"
                    providers: [{type: openai, model: m}]
                  dataset: {file: cases.jsonl}
                  criteria: [{type: contains, value: answer}]
                  passThreshold: 0.85
                  repeats: \(repeats)
                """, cases: cases)
    }

    @Test(
        "three evaluators share 300 cases × 3 repeats; one is SIGKILLed mid-run; every (case, repeat) ends with exactly one result"
    )
    func killOneOfThreeWithRepeats() async throws {
        let count = 300
        let repeats = 3
        let run = try await SharedRunFixture.start(
            suitePath: try Self.suite("repeat-kill", count: count, repeats: repeats))
        defer { run.stop() }
        let (queue, client, file) = (run.queue, run.client, run.file)

        let evaluators = try run.killableEvaluators(3)
        for evaluator in evaluators {
            _ = try await evaluator.waitForLine("queued", timeout: .seconds(30)) {
                $0.contains("300 cases × 3 repeats queued")
            }
        }
        try await run.killFirst(evaluators, after: 200)
        #expect(try await run.recorded() < Int64(count * repeats))
        try await run.expectTheOthersFinish(evaluators)

        let results = try await queue.results(offset: 0, limit: count * repeats + 100)
        #expect(results.count == count * repeats)
        #expect(Set(results.map(\.recordKey)).count == count * repeats)
        let repeatsByCase = Dictionary(grouping: results, by: \.caseID).mapValues { Set($0.map(\.repeat)) }
        #expect(repeatsByCase.count == count)
        #expect(repeatsByCase.values.allSatisfy { $0 == [1, 2, 3] })
        let aggregates = try #require(try await queue.aggregates())
        #expect(aggregates.total == count * repeats && aggregates.info.repeats == repeats)
        #expect(aggregates == RunTally(results).aggregates(info: file.plan().info, seeded: true, cancelled: false))
        #expect(aggregates.phase == .succeeded && aggregates.targets[0].failed == count * repeats / 10)
        let pending = try await client.send(["XPENDING", queue.keys.cases, RedisWorkQueue.Configuration.group])
        #expect(pending.array?.first?.integer == 0, "every (case, repeat) is acknowledged")
        #expect(Set(results.map(\.consumer)).isSuperset(of: ["evaluator-1", "evaluator-2", "evaluator-3"]))

        // A survivor's report: pass^3 and the mean per-case pass fraction over the 300 cases.
        let line = try #require(evaluators[1].output.first { $0.hasPrefix("{\"id\"") })
        let target = try #require(try JSONParser.parse(line)["targets"]?.arrayValue?.first)
        #expect(target["repeats"]?["cases"] == JSONValue.number(Double(count)))
        #expect(target["repeats"]?["passAll"] == JSONValue.number(0.9))
        #expect(target["passRateInterval"]?["method"] == "cluster-robust")
    }

    @Test("--repeats overrides spec.repeats as a run of its own, and the table shows pass^N and the per-case fraction")
    func repeatsOption() async throws {
        let path = try Self.suite("repeat-option", count: 20, repeats: 1)
        let (status, output) = try await RunCommandTests.run([path, "--repeats", "4"])
        #expect(status == 0, "\(output.joined(separator: "\n"))")
        let text = output.joined(separator: "\n")
        #expect(text.contains("80/80 cases (4 repeats each)"), "\(text)")
        #expect(text.contains("pass^4 90.0% (18 of 20 cases), mean per-case pass fraction 90.0%, 0 flaky"), "\(text)")
        let (invalid, message) = try await RunCommandTests.run([path, "--repeats", "0"])
        #expect(invalid == 2 && message.contains { $0.contains("repeats") }, "\(message)")
    }
}
