import AssayCore
import Foundation
import Suites
import TestSupport
import Testing

/// `llmJudge` criteria in `assay-evaluator run`, with the provider emulator as the judge: it
/// answers `echo: <prompt>`, and the judge prompt quotes the graded output, so an output holding
/// `{"score", "reason"}` JSON carries the verdict.
@Suite("assay-evaluator run: llmJudge criteria", .serialized)
struct SuiteJudgeTests {
    /// A suite of one given-output target, one `llmJudge` criterion (`criterionJudge` is its own
    /// chain, if any) and `suiteJudge` as `spec.judge`.
    static func suite(output: String, suiteJudge: String, criterionJudge: String? = nil) throws -> URL {
        let criterionMember = criterionJudge.map { ", judge: [\($0)]" } ?? ""
        let yaml = """
            apiVersion: eval.assay.dev/v1alpha1
            kind: EvaluationSuite
            metadata: {name: judged}
            spec:
              targets:
              - name: given
                prompt: "{{input}}"
                providers: [{type: openai, model: m}]
              judge:
                providers: [\(suiteJudge)]
              dataset: {file: cases.jsonl}
              criteria:
              - {type: llmJudge, rubric: "Answers correctly.", scale: {min: 1, max: 5}, threshold: 3\(criterionMember)}
              passThreshold: 1
            """
        let line = JSONWriter.string([
            "id": .string("c1"), "input": .string("What is 2+2?"), "output": .string(output),
        ])
        return try RunCommandTests.directory(["suite.yaml": yaml, "cases.jsonl": line])
    }

    /// Runs the suite with the JSON report on standard output; returns the exit status, the
    /// report and its only criterion result.
    static func runJSON(_ directory: URL) async throws -> (status: Int32, report: String, criterion: JSONValue) {
        let run = try await RunReportCommandTests.run([
            directory.appendingPathComponent("suite.yaml").path, "--output", "json",
        ])
        let report = try JSONParser.parse(run.stdout)
        let criterion = try #require(
            report["cases"]?.arrayValue?.first?["targets"]?.arrayValue?.first?["criteria"]?.arrayValue?.first,
            "\(run.stdout)\n\(run.stderr)")
        return (run.status, run.stdout + run.stderr, criterion)
    }

    @Test("a suite's llmJudge criterion is judged by spec.judge and the run passes on a score over the threshold")
    func suiteJudgePasses() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let directory = try Self.suite(
            output: #"{"score": 4, "reason": "ok"}"#, suiteJudge: emulator.provider("suite-judge"))
        let (status, report, criterion) = try await Self.runJSON(directory)
        #expect(status == 0, "\(report)")
        #expect(criterion["type"] == "llmJudge")
        #expect(criterion["passed"] == true, "\(criterion)")
        #expect(criterion["score"] == 0.75)
        #expect(criterion["reason"]?.stringValue?.contains("judge scored 4/5") == true, "\(criterion)")
        #expect(try await emulator.stats(route: "openai")["ok"] == 1)
    }

    @Test("the criterion's own judge wins over spec.judge, and an unparseable answer fails the run with its reason")
    func criterionJudgeUnparseableFails() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        // spec.judge points nowhere: had it been asked, the reason would be a connection failure.
        let unreachable = #"{"type": "openai", "name": "nowhere", "model": "m", "baseURL": "http://127.0.0.1:1/v1"}"#
        let directory = try Self.suite(
            output: "four, I think", suiteJudge: unreachable, criterionJudge: emulator.provider("own-judge"))
        let (status, report, criterion) = try await Self.runJSON(directory)
        #expect(status == 1, "\(report)")
        #expect(criterion["passed"] == false)
        #expect(criterion["reason"]?.stringValue?.contains(#"is not JSON {"score", "reason"}"#) == true, "\(criterion)")
        #expect(try await emulator.stats(route: "openai")["ok"] == 1)
    }
}
