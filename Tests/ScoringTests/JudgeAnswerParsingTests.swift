import AssayCore
import Testing

@testable import Scoring

/// How a judge's answer text becomes a verdict: strict JSON, then tolerant fallbacks.
@Suite("Judge answer parsing")
struct JudgeAnswerParsingTests {
    static func criterion() throws -> LLMJudgeCriterion {
        let json = try JSONParser.parse(
            Array(#"{"type": "llmJudge", "rubric": "r", "scale": {"min": 1, "max": 5}, "threshold": 4}"#.utf8))
        guard case .llmJudge(let judge) = try Criterion.decode(json, at: "criteria[0]").kind else {
            throw FieldError(path: "", message: "not a judge")
        }
        return judge
    }

    @Test(
        "answers with a score are parsed, strictly or tolerantly",
        arguments: [
            (#"{"score": 5, "reason": "exact"}"#, 5.0, "exact"),
            ("Sure! Here is my grade:\n```json\n{\"score\": 4.5, \"reason\": \"close\"}\n```", 4.5, "close"),
            (#"{"score": "3", "reason": "as text"}"#, 3.0, "as text"),
            ("Score: 2 because it rambles", 2.0, ""),
        ])
    func parses(text: String, score: Double, reason: String) throws {
        let parsed = try #require(LLMJudgeCriterion.parse(text))
        #expect(parsed.score == score)
        #expect(parsed.reason == reason)
    }

    @Test("an answer without a score, or with one outside the scale, fails with the answer quoted")
    func failures() throws {
        let judge = try Self.criterion()
        let prose = judge.verdict(fromAnswer: "It is quite good overall.")
        #expect(!prose.passed)
        #expect(prose.reason.contains("is not JSON") && prose.reason.contains("quite good"))
        let outside = judge.verdict(fromAnswer: #"{"score": 9, "reason": "great"}"#)
        #expect(!outside.passed)
        #expect(outside.reason.contains("outside the scale 1-5"))
        let pass = judge.verdict(fromAnswer: #"{"score": 4, "reason": "good"}"#)
        #expect(pass.passed && pass.score == 0.75)
    }

    @Test("a threshold outside the scale is a field error naming it")
    func thresholdOutsideScale() throws {
        let json = try JSONParser.parse(Array(#"{"type": "llmJudge", "rubric": "r", "threshold": 7}"#.utf8))
        #expect(throws: FieldError.self) { try Criterion.decode(json, at: "criteria[0]") }
        do {
            _ = try Criterion.decode(json, at: "criteria[0]")
        } catch {
            #expect(error.path == "criteria[0].threshold")
        }
    }
}
