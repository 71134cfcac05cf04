import AssayCore
import Testing

@testable import Scoring

@Suite("Scorecard")
struct ScoringScorecardTests {
    @Test("the score is the weighted mean and passing needs every criterion")
    func weightedMean() throws {
        let card = try Scorecard.decode([
            ["type": "contains", "value": "a", "weight": 3],
            ["type": "contains", "value": "z", "weight": 1],
        ])
        let outcome = card.evaluate(EvaluationContext(output: "abc"))
        #expect(outcome.score == 0.75)
        #expect(!outcome.passed)
        #expect(outcome.results.map(\.passed) == [true, false])
    }

    static let weightCases: [(weights: [Double], expected: Double)] = [
        ([1, 1], 0.5),
        ([0, 1], 0),
        ([1, 0], 1),
        ([0, 0], 0.5),
        ([2.5, 7.5], 0.25),
    ]

    @Test("weights scale each criterion; all-zero weights fall back to the plain mean", arguments: weightCases)
    func weights(weights: [Double], expected: Double) throws {
        let card = try Scorecard.decode([
            ["type": "contains", "value": "yes", "weight": .number(weights[0])],
            ["type": "contains", "value": "no", "weight": .number(weights[1])],
        ])
        #expect(card.evaluate(EvaluationContext(output: "yes")).score == expected)
    }

    @Test("a zero-weight criterion still gates passing")
    func zeroWeightGates() throws {
        let card = try Scorecard.decode([
            ["type": "contains", "value": "yes"],
            ["type": "contains", "value": "no", "weight": 0],
        ])
        let outcome = card.evaluate(EvaluationContext(output: "yes"))
        #expect(outcome.score == 1)
        #expect(!outcome.passed)
    }

    @Test("all criteria passing passes the output")
    func allPass() throws {
        let card = try Scorecard.decode([
            ["type": "startsWith", "value": "{"],
            ["type": "isJSON"],
            ["type": "length", "max": 100],
        ])
        let outcome = card.evaluate(EvaluationContext(output: "{\"ok\": true}"))
        #expect(outcome.passed)
        #expect(outcome.score == 1)
    }

    @Test("results render as the API's JSON, named by name or else type")
    func json() throws {
        let card = try Scorecard.decode([
            ["type": "contains", "value": "a", "name": "has a"],
            ["type": "equals", "value": "b"],
        ])
        let outcome = card.evaluate(EvaluationContext(output: "a"))
        let expected: JSONValue = [
            "passed": false,
            "score": 0.5,
            "results": [
                [
                    "criterion": "has a", "type": "contains", "passed": true, "score": 1,
                    "reason": "output contains \"a\"",
                ],
                [
                    "criterion": "equals", "type": "equals", "passed": false, "score": 0,
                    "reason": "output does not equal \"b\"; it begins \"a\"",
                ],
            ],
        ]
        #expect(outcome.json == expected)
    }

    @Test(
        "the answer written straight into bytes is byte for byte what JSONWriter makes of its JSON",
        arguments: [
            [CriterionResult](),
            [CriterionResult(name: "has a", type: .contains, passed: true, score: 1, reason: #"output contains "a""#)],
            [
                CriterionResult(name: "ü \\ \n\u{1}", type: .regex, passed: false, score: 0, reason: "tab\there"),
                CriterionResult(name: "sim", type: .similarity, passed: true, score: 0.123456789, reason: ""),
                CriterionResult(name: "n", type: .numeric, passed: false, score: .nan, reason: "1e300 ✨"),
            ],
        ])
    func directWriter(results: [CriterionResult]) {
        let outcome = EvaluationOutcome(results: results, weights: results.map { _ in 1.5 })
        var written: [UInt8] = [0x20]
        outcome.write(into: &written)
        #expect(written == [0x20] + JSONWriter.bytes(outcome.json), "\(String(decoding: written, as: UTF8.self))")
    }

    @Test("needsReference is true only with a similarity criterion")
    func needsReference() throws {
        #expect(try !Scorecard.decode([["type": "isJSON"]]).needsReference)
        #expect(try Scorecard.decode([["type": "isJSON"], ["type": "similarity", "method": "bleu"]]).needsReference)
    }

    @Test("similarity without a reference fails instead of crashing")
    func missingReference() throws {
        let result = try evaluate(["type": "similarity", "method": "tokenF1"], output: "x")
        #expect(!result.passed)
        #expect(result.reason.contains("reference"))
    }

    @Test("the criterion cache reuses decoded criteria and does not cache errors")
    func cache() throws {
        let cache = CriterionCache(capacity: 4)
        let criteria: JSONValue = [["type": "regex", "pattern": "a+"], ["type": "contains", "value": "b"]]
        _ = try Scorecard.decode(criteria, cache: cache)
        _ = try Scorecard.decode(criteria, cache: cache)
        #expect(cache.count == 2)
        #expect(cache.regexes.count == 1)
        #expect(throws: FieldError(path: "criteria[0].value", message: "is required")) {
            try Scorecard.decode([["type": "contains"]], cache: cache)
        }
        #expect(cache.count == 2)
    }
}
