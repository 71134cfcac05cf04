import AssayCore
import Testing

@testable import Scoring

/// Every criterion's work is bounded, and a criterion that hits its bound fails with the limit
/// and the reason in its result instead of holding a core.
@Suite("Scoring work limits")
struct ScoringWorkLimitTests {
    @Test(
        "similarity refuses a text over its size limit at once, naming the limit",
        arguments: ["bleu", "tokenF1", "rougeL"])
    func similarityTextLimit(method: String) throws {
        let big = String(repeating: "word ", count: SimilarityCriterion.maxTextBytes / 5 + 1)
        let start = ContinuousClock.now
        for (output, reference, side) in [(big, "word", "output"), ("word", big, "reference")] {
            let result = try evaluate(
                ["type": "similarity", "method": .string(method)], output: output, reference: reference)
            #expect(!result.passed)
            #expect(result.reason.contains("the \(side) has \(big.utf8.count) bytes"), "\(result.reason)")
            #expect(result.reason.contains("\(SimilarityCriterion.maxTextBytes)"))
            #expect(result.reason.contains("work limit"))
        }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test("similarity within the size limit still stops at its step limit, naming it")
    func similarityStepLimit() throws {
        var budget = WorkBudget(steps: 1000)
        let text = String(repeating: "word ", count: 2000)
        #expect(throws: WorkBudget.Exhaustion.steps(limit: 1000)) {
            try SentenceBLEU.score(candidate: text, reference: text, budget: &budget)
        }
        var tokens = WorkBudget(steps: 1000)
        #expect(throws: WorkBudget.Exhaustion.steps(limit: 1000)) {
            try TokenF1.score(candidate: text, reference: text, budget: &tokens)
        }
        var lcs = WorkBudget(steps: 1000)
        #expect(throws: WorkBudget.Exhaustion.steps(limit: 1000)) {
            try RougeL.score(candidate: text, reference: text, budget: &lcs)
        }
    }

    @Test("a cancelled request's criteria are not evaluated, and a running similarity stops")
    func cancellationStopsScoring() throws {
        let cancellation = WorkCancellation()
        cancellation.cancel(.deadline)
        var context = EvaluationContext(output: "a b c", reference: "a b c")
        context.cancellation = cancellation
        let criterion = try Criterion.decode(["type": "similarity", "method": "bleu"], at: "criteria[0]")
        let result = criterion.evaluate(context)
        #expect(!result.passed)
        #expect(result.reason == "not evaluated: the request's deadline passed")

        let similarity = try SimilarityCriterion(try JSONFields(["type": "similarity", "method": "rougeL"], at: ""))
        let verdict = similarity.evaluate("a b c", reference: "a b c", cancellation: cancellation)
        #expect(verdict.reason.contains("stopped: the request's deadline passed"), "\(verdict.reason)")
    }

    @Test("a jsonSchema check that needs too much work fails with the limit in its reason")
    func schemaStepLimit() throws {
        // 2,000 elements that match the last of 5,000 enum values: 10 million comparisons, over 8 million steps.
        let values = (0..<5000).map { JSONValue.number(Double($0)) }
        let criterion: JSONValue = ["type": "jsonSchema", "schema": ["items": ["enum": .array(values)]]]
        let output = "[" + Array(repeating: "4999", count: 2000).joined(separator: ",") + "]"
        let result = try evaluate(criterion, output: output)
        #expect(!result.passed)
        #expect(result.reason.contains("too much work"), "\(result.reason)")
        #expect(result.reason.contains("\(JSONSchema.defaultMaxSteps) steps"))
    }
}
