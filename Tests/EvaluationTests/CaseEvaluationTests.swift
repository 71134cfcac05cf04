import AssayCore
import Gateway
import Providers
import Suites
import TestSupport
import Testing

@testable import Evaluation
@testable import Scoring

/// The one case pipeline, against a provider that answers every call with one canned completion.
@Suite("CaseEvaluation")
struct CaseEvaluationTests {
    static let provider = ProviderConfig(type: .openai, model: "m", baseURL: "http://fake/v1", name: "fake")

    /// An OpenAI chat completion whose answer is `content`.
    static func completion(_ content: String) -> String {
        let text = JSONWriter.string(.string(content))
        return #"{"model": "m", "choices": [{"message": {"role": "assistant", "content": \#(text)},"#
            + #" "finish_reason": "stop"}], "usage": {"prompt_tokens": 7, "completion_tokens": 3}}"#
    }

    static func pool(_ transport: ProviderFakeTransport) -> ProviderPool {
        ProviderPool(
            transport: transport, redis: nil, metrics: ProviderMetrics(registry: MetricsRegistry()),
            environment: ProviderFixtures.environment())
    }

    static func scorecard(_ json: JSONValue) throws -> Scorecard { try Scorecard.decode(json) }

    static let target = TargetSpec(
        name: "t", prompt: "Capital of {{country}}?", providers: [ProviderSpec(config: provider)])

    /// Scores on the caller's thread, as the suite worker does.
    static func inline(_ scorecard: Scorecard, _ context: EvaluationContext) -> EvaluationOutcome {
        scorecard.evaluate(context)
    }

    @Test("an output is scored as given, and no provider is called")
    func givenOutput() async throws {
        let transport = ProviderFakeTransport(status: 500, body: "")
        let evaluation = CaseEvaluation(pool: Self.pool(transport))
        let outcome = await evaluation.evaluate(
            .output("Paris"), inputs: .init(input: "France", reference: nil),
            scorecard: try Self.scorecard([["type": "contains", "value": "Paris"]]), score: Self.inline)
        guard case .scored(let scored, let output, let generation) = outcome else {
            Issue.record("expected a score, got \(outcome)")
            return
        }
        #expect(scored.passed && output == "Paris" && generation == nil)
        #expect(transport.requests.isEmpty)
    }

    @Test("a target's prompt is filled from the case's fields, and its answer is scored with the call's facts")
    func generatedOutput() async throws {
        let transport = ProviderFakeTransport(status: 200, body: Self.completion("Paris"))
        let evaluation = CaseEvaluation(pool: Self.pool(transport))
        let suiteCase = SuiteCase(id: "c", input: "x", fields: ["country": "France"])
        let outcome = await evaluation.evaluate(
            .target(Self.target), inputs: .init(suiteCase),
            scorecard: try Self.scorecard([["type": "equals", "value": "Paris"], ["type": "latency", "maxMs": 60000]]),
            score: Self.inline)
        guard case .scored(let scored, let output, let generation?) = outcome else {
            Issue.record("expected a generated, scored output, got \(outcome)")
            return
        }
        #expect(scored.passed, "\(scored.results)")
        #expect(output == "Paris" && generation.provider == "fake" && generation.usage.inputTokens == 7)
        let sent = try #require(transport.requests.first)
        #expect(String(decoding: sent.body, as: UTF8.self).contains("Capital of France?"))
    }

    @Test("when every provider fails there is no output to score: a generation failure listing the attempts")
    func failedGeneration() async throws {
        let transport = ProviderFakeTransport(status: 400, body: #"{"error": {"message": "bad model"}}"#)
        let evaluation = CaseEvaluation(pool: Self.pool(transport))
        let outcome = await evaluation.evaluate(
            .target(Self.target), inputs: .init(input: nil, reference: nil),
            scorecard: try Self.scorecard([["type": "contains", "value": "x"]]), score: Self.inline)
        guard case .generationFailed(let failure) = outcome else {
            Issue.record("expected a generation failure, got \(outcome)")
            return
        }
        #expect(failure.attempts.map(\.outcome) == [.invalidRequest])
    }

    @Test("a target without an HTTP client cannot be generated")
    func noClient() async throws {
        let outcome = await CaseEvaluation(pool: nil).evaluate(
            .target(Self.target), inputs: .init(input: nil, reference: nil),
            scorecard: try Self.scorecard([["type": "contains", "value": "x"]]), score: Self.inline)
        guard case .generationUnavailable = outcome else {
            Issue.record("expected generation to be unavailable, got \(outcome)")
            return
        }
    }

    @Test("llmJudge criteria are judged before scoring, through the default judge chain")
    func judged() async throws {
        let transport = ProviderFakeTransport(status: 200, body: Self.completion(#"{"score": 5, "reason": "right"}"#))
        let evaluation = CaseEvaluation(pool: Self.pool(transport), defaultJudge: [Self.provider])
        let outcome = await evaluation.evaluate(
            .output("Paris"), inputs: .init(input: "Capital of France?", reference: nil),
            scorecard: try Self.scorecard([["type": "llmJudge", "rubric": "Names the capital.", "threshold": 4]]),
            score: Self.inline)
        guard case .scored(let scored, _, _) = outcome else {
            Issue.record("expected a score, got \(outcome)")
            return
        }
        #expect(scored.passed)
        #expect(scored.results.first?.reason.contains("(judge: fake)") == true)
        #expect(transport.requests.count == 1)
    }
}
