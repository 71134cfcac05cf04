import AssayCore
import Testing

@testable import Scoring

/// `regex` and `jsonSchema` scored on a small budget (``Criterion/evaluate(_:budget:)``, a request
/// scored on an event loop): the ordinary verdict when the budget suffices, nothing at all when it
/// runs out.
@Suite("Scoring: criteria on a small budget")
struct ScoringBudgetedCriteriaTests {
    static let output =
        #"{"title": "Report", "sections": [{"heading": "Overview", "body": "Fine."}], "#
        + #""conclusion": "Conclusion: verified 2026"}"#

    static let criteria: [String] = [
        #"{"type": "regex", "pattern": "[Cc]onclusion: [a-z]+ [0-9]{4}"}"#,
        #"{"type": "regex", "pattern": "^nothing like it"}"#,
        #"{"type": "regex", "pattern": "REPORT", "caseInsensitive": true}"#,
        #"{"type": "jsonSchema", "schema": {"type": "object", "required": ["title", "sections", "conclusion"], "#
            + #""additionalProperties": false, "properties": {"title": {"type": "string", "minLength": 1}, "#
            + #""sections": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["heading", "body"]}}, "#
            + #""conclusion": {"type": "string", "pattern": "^Conclusion: "}}}}"#,
        #"{"type": "jsonSchema", "schema": {"properties": {"conclusion": {"pattern": "^Summary"}}}}"#,
        #"{"type": "jsonSchema", "schema": {"patternProperties": {"^t": {"type": "number"}}}}"#,
        #"{"type": "isJSON"}"#,
        #"{"type": "contains", "value": "2026"}"#,
    ]

    @Test("criteria the budget suffices for get the ordinary verdict and spend little", arguments: criteria)
    func ordinaryVerdicts(json: String) throws {
        let criterion = try Criterion.decode(try JSONParser.parse(json), at: "criteria[0]")
        var budget = WorkBudget(steps: 16_384)
        let budgeted = criterion.evaluate(EvaluationContext(output: Self.output), budget: &budget)
        #expect(budgeted == criterion.evaluate(EvaluationContext(output: Self.output)))
        #expect(!budget.isExhausted)
        #expect(budget.used < 1_000, "spent \(budget.used) steps")
    }

    static let hostileSubject = String(repeating: "a", count: 1_500) + "!"

    static let hostile: [(criterion: String, output: String, reason: String)] = [
        (
            #"{"type": "regex", "pattern": "(a+)+$"}"#, hostileSubject,
            "could not be evaluated: the regular expression needed more backtracking"
        ),
        (
            #"{"type": "jsonSchema", "schema": {"items": {"pattern": "(a+)+$"}}}"#, "[\"\(hostileSubject)\"]",
            "could not be checked against \"(a+)+$\""
        ),
        (
            #"{"type": "jsonSchema", "schema": {"patternProperties": {"(a+)+$": true}}}"#, "{\"\(hostileSubject)\": 1}",
            "could not be checked against \"(a+)+$\""
        ),
    ]

    @Test(
        "a hostile pattern exhausts the budget and decides nothing; the ordinary limits give their verdict",
        arguments: hostile)
    func hostilePatternsDecideNothing(criterion json: String, output: String, reason: String) throws {
        let criterion = try Criterion.decode(try JSONParser.parse(json), at: "criteria[0]")
        var budget = WorkBudget(steps: 16_384)
        #expect(criterion.evaluate(EvaluationContext(output: output), budget: &budget) == nil)
        #expect(budget.isExhausted)
        let ordinary = criterion.evaluate(EvaluationContext(output: output))
        #expect(!ordinary.passed)
        #expect(ordinary.reason.contains(reason), "\(ordinary.reason)")
    }

    @Test("a schema whose validation needs more steps than the budget decides nothing")
    func largeValidationsDecideNothing() throws {
        let criterion = try Criterion.decode(
            try JSONParser.parse(#"{"type": "jsonSchema", "schema": {"items": {"type": "number"}}}"#), at: "criteria[0]"
        )
        let output = "[" + Array(repeating: "1", count: 500).joined(separator: ",") + "]"
        var small = WorkBudget(steps: 100)
        #expect(criterion.evaluate(EvaluationContext(output: output), budget: &small) == nil)
        var ample = WorkBudget(steps: 16_384)
        #expect(criterion.evaluate(EvaluationContext(output: output), budget: &ample)?.passed == true)
    }

    @Test("criteria that need more than a budget are never scored on one")
    func unbudgetedTypes() throws {
        let similarity = try Criterion.decode(
            try JSONParser.parse(#"{"type": "similarity", "method": "tokenF1", "threshold": 0.5}"#), at: "criteria[0]")
        var budget = WorkBudget(steps: 16_384)
        #expect(similarity.evaluate(EvaluationContext(output: "a", reference: "a"), budget: &budget) == nil)
    }
}
