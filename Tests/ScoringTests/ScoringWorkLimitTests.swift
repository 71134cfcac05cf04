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

    @Test(
        "containsAll and containsAny over more values than their work limit allows fail naming it; a cancelled one stops",
        arguments: ["containsAll", "containsAny"])
    func textListStepLimit(type: String) throws {
        let output = String(repeating: "a", count: 1024 * 1024)
        let fitting = TextListCriterion.maxSteps / output.utf8.count  // one step per byte each value searches
        for (count, decided) in [(fitting, true), (fitting + 1, false)] {
            let values = JSONValue.array(Array(repeating: "b", count: count))
            let result = try evaluate(["type": .string(type), "values": values], output: output)
            #expect(!result.passed)
            #expect(result.reason.contains("work limit") != decided, "\(result.reason.prefix(200))")
            if !decided { #expect(result.reason.contains("\(TextListCriterion.maxSteps) steps")) }
        }
        let cancellation = WorkCancellation()
        cancellation.cancel(.clientGone)
        let list = try TextListCriterion(
            type == "containsAll" ? .containsAll : .containsAny,
            try JSONFields(["values": ["x", "y"]], at: "criteria[0]"))
        let verdict = list.evaluate("abc", cancellation: cancellation)
        #expect(!verdict.passed)
        #expect(verdict.reason.contains("stopped: "), "\(verdict.reason)")
    }

    @Test(
        "a case-insensitive value list lowercases the output once and decides as each value alone would",
        arguments: [
            ("\u{212A}elvin", ["k", "ELV"], true, true),  // the Kelvin sign lowercases to ASCII k
            ("\u{C9}t\u{C9}", ["\u{E9}t", "T"], true, true),
            ("\u{C9}t\u{C9}", ["\u{E9}t", "x"], false, true),
            ("plain ASCII", ["PLAIN", "ascii"], true, true),
            ("plain ASCII", ["nope", "\u{E9}"], false, false),
        ])
    func textListLowercasesOnce(output: String, values: [String], all: Bool, any: Bool) throws {
        let list = JSONValue.array(values.map { .string($0) })
        let containsAll = try evaluate(["type": "containsAll", "values": list, "caseSensitive": false], output: output)
        let containsAny = try evaluate(["type": "containsAny", "values": list, "caseSensitive": false], output: output)
        #expect(containsAll.passed == all, "\(containsAll.reason)")
        #expect(containsAny.passed == any, "\(containsAny.reason)")
        let alone = try values.map { value in
            try evaluate(["type": "contains", "value": .string(value), "caseSensitive": false], output: output).passed
        }
        #expect(alone.allSatisfy { $0 } == all)
        #expect(alone.contains(true) == any)
    }
}
