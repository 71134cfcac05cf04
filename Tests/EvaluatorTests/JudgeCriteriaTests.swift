import AssayCore
import Foundation
import Providers
import TestSupport
import Testing

@testable import Evaluator
@testable import Scoring

/// `llmJudge`, `latency` and `cost` criteria, with the provider emulator as the judge and the
/// generator (it answers `echo: <the last user message>`).
@Suite("Judge, latency and cost criteria", .serialized)
struct JudgeCriteriaTests {
    static func judgeRequest(output: String, judge: String?) -> String {
        let judgeMember = judge.map { #", "judge": [\#($0)]"# } ?? ""
        return #"""
            {"output": \#(output), "input": "What is 2+2?", "criteria": [{"type": "llmJudge",
             "rubric": "Answers the arithmetic question correctly.", "scale": {"min": 1, "max": 5},
             "threshold": 3\#(judgeMember)}]}
            """#
    }

    @Test("an llmJudge criterion scores with the judge's JSON answer, normalised to the scale")
    func judgePasses() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        // The echoing judge repeats the graded response, so the response carries the verdict.
        let (status, body) = try await app.post(
            "/v1/evaluate",
            Self.judgeRequest(
                output: #""{\"score\": 4, \"reason\": \"correct and brief\"}""#, judge: emulator.provider("judge")))
        #expect(status == 200, "\(body)")
        let result = try #require(body["results"]?.arrayValue?.first)
        #expect(result["type"] == "llmJudge")
        #expect(result["passed"] == true)
        #expect(result["score"] == 0.75)
        let reason = try #require(result["reason"]?.stringValue)
        #expect(reason.contains("judge scored 4/5") && reason.contains("correct and brief") && reason.contains("judge"))
        #expect(try await emulator.stats(route: "openai")["ok"] == 1)
    }

    @Test("an unparseable judge answer fails the criterion with a clear reason")
    func unparseableJudgeFails() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let (status, body) = try await app.post(
            "/v1/evaluate", Self.judgeRequest(output: #""four, I think""#, judge: emulator.provider("judge")))
        #expect(status == 200)
        let result = try #require(body["results"]?.arrayValue?.first)
        #expect(result["passed"] == false)
        #expect(result["reason"]?.stringValue?.contains(#"is not JSON {"score", "reason"}"#) == true, "\(result)")
    }

    @Test("without a judge in the criterion the server's default judge is used, and listed by GET /v1/providers")
    func defaultJudge() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let judge = try ProviderConfig.decode(
            try JSONParser.parse(Array(emulator.provider("house-judge").utf8)), at: "judge-providers[0]")
        let app = try GatewayApp(defaultJudge: [judge])
        defer { Task { await app.stop() } }
        let listed = try JSONParser.parse(try await app.get("/v1/providers").body)
        #expect(listed["providers"]?.arrayValue?.map { $0["name"] } == ["house-judge"])
        let (status, body) = try await app.post(
            "/v1/evaluate", Self.judgeRequest(output: #""{\"score\": 2, \"reason\": \"wrong\"}""#, judge: nil))
        #expect(status == 200)
        let result = try #require(body["results"]?.arrayValue?.first)
        #expect(result["passed"] == false)
        #expect(result["score"] == 0.25)

        let bare = try GatewayApp()
        defer { Task { await bare.stop() } }
        let (refused, problem) = try await bare.post(
            "/v1/evaluate", Self.judgeRequest(output: #""x""#, judge: nil))
        #expect(refused == 422)
        #expect(problem["errors"]?.arrayValue?.first?["path"] == "criteria[0].judge")
    }

    @Test("latency and cost criteria check the generation's time, tokens and price")
    func latencyAndCost() async throws {
        let emulator = try await ProviderEmulatorProcess.start()
        let app = try GatewayApp()
        defer { Task { await app.stop() } }
        let (status, body) = try await app.post(
            "/v1/evaluate",
            #"""
            {"target": {"providers": [\#(emulator.provider("gen"))], "prompt": "hello there"}, "criteria": [
              {"type": "latency", "maxMs": 10000},
              {"type": "cost", "maxTokens": 1},
              {"type": "cost", "name": "budget", "maxCost": 1, "prices": {"gen": {"inputPerMillion": 1, "outputPerMillion": 2}}},
              {"type": "cost", "name": "unpriced", "maxCost": 1, "prices": {"other": {"inputPerMillion": 1, "outputPerMillion": 2}}}]}
            """#)
        #expect(status == 200, "\(body)")
        let results = try #require(body["results"]?.arrayValue)
        #expect(results.map { $0["passed"] } == [true, false, true, false])
        #expect(results[0]["reason"]?.stringValue?.contains("within the limit of 10000 ms") == true)
        #expect(results[1]["reason"]?.stringValue?.contains("over the limit of 1") == true)
        #expect(results[3]["reason"]?.stringValue?.contains("no price for model") == true)

        let (refused, problem) = try await app.post(
            "/v1/evaluate", #"{"output": "x", "criteria": [{"type": "latency", "maxMs": 5}]}"#)
        #expect(refused == 422)
        #expect(problem["errors"]?.arrayValue?.first?["path"] == "criteria[0]")
    }
}
