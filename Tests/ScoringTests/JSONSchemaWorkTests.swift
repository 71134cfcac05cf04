import Testing

@testable import AssayCore
@testable import Scoring

/// JSON Schema validation under a work budget: memoised `$ref`s make fan-outs linear, and what
/// still needs too much work is undecided rather than stalling a core.
@Suite("JSONSchema work budget")
struct JSONSchemaWorkTests {
    /// `$defs` whose level i holds `allOf` of two `$ref`s to level i + 1: 2^depth paths to the last level.
    static func fanOut(depth: Int, leaf: JSONValue = ["type": "object"]) throws -> JSONSchema {
        var defs = JSONObject()
        for level in 0..<depth {
            let next: JSONValue = ["$ref": .string("#/$defs/l\(level + 1)")]
            defs["l\(level)"] = ["allOf": [next, next]]
        }
        defs["l\(depth)"] = leaf
        return try JSONSchema(compiling: .object(JSONObject([("$ref", "#/$defs/l0"), ("$defs", .object(defs))])))
    }

    @Test("a $ref fan-out of 2^40 paths is validated in a few hundred steps, valid or not")
    func fanOutIsLinear() throws {
        let schema = try Self.fanOut(depth: 40)
        var budget = WorkBudget(steps: 10_000)
        #expect(schema.validate(["a": 1], budget: &budget) == .valid)
        #expect(budget.used < 500, "\(budget.used) steps")

        var failing = WorkBudget(steps: 10_000)
        guard case .invalid(let violations) = schema.validate("text", budget: &failing) else {
            Issue.record("a string must fail type: object")
            return
        }
        #expect(violations.allSatisfy { $0.keyword == "type" })
        #expect(violations.count <= 3, "a failure reported once per path, not 2^40 times: \(violations.count)")
        #expect(failing.used < 500, "\(failing.used) steps")
        #expect(!schema.isValid("text"))
        #expect(schema.isValid([1, 2]) == false)
    }

    @Test("a validation that needs more than its budget is undecided, even inside not")
    func exhaustedBudgetIsUndecided() throws {
        let instance = JSONValue.array(Array(repeating: 1, count: 2000))
        for schemaJSON: JSONValue in [
            ["items": ["anyOf": [["type": "string"], ["type": "integer"]]]],
            // Every failure inside `not` would read as a pass if exhaustion were taken for a verdict.
            ["not": ["items": ["type": "integer"]]],
        ] {
            let schema = try JSONSchema(compiling: schemaJSON)
            var budget = WorkBudget(steps: 100)
            #expect(schema.validate(instance, budget: &budget) == .undecided(.steps(limit: 100)))
        }
        let schema = try JSONSchema(compiling: ["items": ["enum": .array((0..<10_000).map { .number(Double($0)) })]])
        var budget = WorkBudget(steps: 50_000)
        #expect(schema.validate(instance, budget: &budget) == .undecided(.steps(limit: 50_000)))
        #expect(schema.validate(instance).first?.message.contains("could not be decided: too much work") == true)
    }

    @Test("a cancelled request stops validation at its first checkpoint")
    func cancellationStopsValidation() throws {
        let cancellation = WorkCancellation()
        cancellation.cancel(.deadline)
        #expect(!cancellation.cancel(.clientGone), "the first reason wins")
        let schema = try Self.fanOut(depth: 3)
        var budget = WorkBudget(steps: 1_000_000, cancellation: cancellation)
        #expect(schema.validate(["a": 1], budget: &budget) == .undecided(.cancelled(.deadline)))
        #expect(budget.used <= 1)
    }

    /// Memoised results must be the ones the location would get without the memo.
    static let memoCases: [(schema: JSONValue, instance: JSONValue, valid: Bool)] = [
        // What a memoised $ref evaluated still counts for unevaluatedProperties.
        (
            [
                "$defs": ["a": ["properties": ["x": [:]]]],
                "allOf": [["$ref": "#/$defs/a"], ["$ref": "#/$defs/a"]], "unevaluatedProperties": false,
            ], ["x": 1], true
        ),
        (
            [
                "$defs": ["a": ["properties": ["x": [:]]]],
                "allOf": [["$ref": "#/$defs/a"], ["$ref": "#/$defs/a"]], "unevaluatedProperties": false,
            ], ["x": 1, "y": 2], false
        ),
        // A member's name and its value sit at one path: the name's result is not the value's.
        (
            [
                "$defs": ["short": ["maxLength": 2]],
                "propertyNames": ["allOf": [["$ref": "#/$defs/short"], ["$ref": "#/$defs/short"]]],
                "additionalProperties": ["allOf": [["$ref": "#/$defs/short"], ["$ref": "#/$defs/short"]]],
            ], ["ab": "too long"], false
        ),
        (
            [
                "$defs": ["short": ["maxLength": 2]],
                "propertyNames": ["allOf": [["$ref": "#/$defs/short"], ["$ref": "#/$defs/short"]]],
                "additionalProperties": ["allOf": [["$ref": "#/$defs/short"], ["$ref": "#/$defs/short"]]],
            ], ["ab": "ok"], true
        ),
        // Elements are separate locations even when the same $ref applies twice to each.
        (
            [
                "$defs": ["n": ["type": "integer"]],
                "items": ["allOf": [["$ref": "#/$defs/n"], ["$ref": "#/$defs/n"]]],
            ], [1, 2, "three"], false
        ),
    ]

    @Test("memoised $ref results give the verdicts the schema would without the memo", arguments: 0..<5)
    func memoKeepsVerdicts(index: Int) throws {
        let (schemaJSON, instance, valid) = Self.memoCases[index]
        let schema = try JSONSchema(compiling: schemaJSON)
        #expect(schema.isValid(instance) == valid)
        #expect(schema.validate(instance).isEmpty == valid, "\(schema.validate(instance))")
    }
}
