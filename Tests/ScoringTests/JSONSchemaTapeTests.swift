import Foundation
import Testing

@testable import AssayCore
@testable import Scoring

/// The schema validator walking a ``JSONTape`` against the same validator on the ``JSONValue`` tree:
/// the same outcome, violations (keyword, message, JSON pointer, order) and steps, on the keyword
/// and message tables, the official suite, budgets that run out, and the names and strings only a
/// tape keeps undecoded (escapes in names, patterns and lengths).
@Suite("JSONSchema on a tape")
struct JSONSchemaTapeTests {
    /// Validates `instance` both ways; expects the same outcome and the same steps taken.
    static func expectSameValidation(
        _ schema: JSONSchema, _ instance: String, steps: Int = JSONSchema.defaultMaxSteps,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var treeBudget = WorkBudget(steps: steps)
        let tree = schema.validate(try JSONParser.parse(instance), budget: &treeBudget)
        var tapeBudget = WorkBudget(steps: steps)
        let tape = schema.validate(try JSONTape.parse(instance), budget: &tapeBudget)
        #expect(tape == tree, "\(instance)", sourceLocation: sourceLocation)
        #expect(tapeBudget.used == treeBudget.used, "\(instance)", sourceLocation: sourceLocation)
    }

    @Test("gives the tree's violations on the keyword table", arguments: JSONSchemaTests.keywordCases)
    func keywordTable(_ testCase: JSONSchemaTests.Case) throws {
        let schema = try JSONSchema(compiling: try JSONParser.parse(testCase.schema))
        try Self.expectSameValidation(schema, testCase.instance)
    }

    @Test("gives the tree's messages on the message table", arguments: JSONSchemaTests.messageCases)
    func messageTable(schema: String, instance: String, expected: String) throws {
        try Self.expectSameValidation(try JSONSchema(compiling: try JSONParser.parse(schema)), instance)
    }

    /// Names and strings with escapes, repeated names, canonically equivalent names, long strings
    /// near their length bounds: what the tape reads differently from the tree.
    static let escapeCases: [(String, String)] = [
        (
            #"{"properties":{"caf\u00e9":{"type":"string"},"a/b":{"minimum":3}},"required":["x\"y","na\u00efve"]}"#,
            #"{"caf\u00e9":1,"a\/b":2,"x\"y":0,"nai\u0308ve":1}"#
        ),
        (#"{"required":["caf\u00e9"],"additionalProperties":false}"#, "{\"cafe\u{301}\":1}"),
        (#"{"propertyNames":{"maxLength":2},"minProperties":3}"#, #"{"ab":1,"a\u0062c":2,"\n":3}"#),
        (#"{"patternProperties":{"^x\\d$":{"type":"null"}}}"#, #"{"x1":null,"x\u0032":1,"x\n":2}"#),
        (#"{"items":{"pattern":"^a\\nb$","maxLength":3}}"#, #"["a\nb","a\\nb","\u0061\u000ab","a\nbc"]"#),
        (#"{"items":{"minLength":2,"maxLength":2}}"#, #"["\ud83d\ude00","\u00e9\u00e9","\u00e9","abc","\/\/"]"#),
        (#"{"enum":["a\nb",{"k\"":[1]}]}"#, #"{"k\u0022":[1.0]}"#),
        (#"{"const":"\u00f1"}"#, #""n\u0303""#),
        (#"{"uniqueItems":true}"#, #"[{"a":1,"b":"\n"},{"b":"\u000a","a":1}]"#),
        (#"{"dependentRequired":{"a\tb":["c"]},"dependentSchemas":{"d":{"required":["e"]}}}"#, #"{"a\tb":1,"d":2}"#),
        (#"{"prefixItems":[{"type":"string"}],"items":{"type":"number"},"contains":{"const":2}}"#, #"["s",1,"x",2]"#),
        (
            #"{"prefixItems":[true],"unevaluatedItems":false,"unevaluatedProperties":false,"properties":{"a":true}}"#,
            #"{"a":1,"b\u0000":2}"#
        ),
        (#"{"unevaluatedItems":{"type":"string"},"prefixItems":[true]}"#, #"[1,"a",2]"#),
        (#"{"additionalProperties":{"type":"string"}}"#, #"{"a":"x","a":1}"#),
        (
            #"{"properties":{"m12":{"type":"string"}}}"#,
            "{" + (0..<13).map { "\"m\($0)\":\($0)" }.joined(separator: ",") + "}"
        ),
        (##"{"type":"object","properties":{"s":{"type":"array","items":{"$ref":"#"}}}}"##, #"{"s":[{"s":[{"s":1}]}]}"#),
    ]

    @Test("gives the tree's violations where names and strings hold escapes", arguments: escapeCases)
    func escapeTable(schema: String, instance: String) throws {
        try Self.expectSameValidation(try JSONSchema(compiling: try JSONParser.parse(schema)), instance)
    }

    @Test(
        "finds a property's subschema by name as String equality does, below and above the index threshold",
        arguments: [2, SchemaProperties.indexThreshold, SchemaProperties.indexThreshold + 1, 30])
    func propertyLookup(count: Int) throws {
        let names = (0..<count).map { "caf\u{e9}\($0)" }
        let schema = try JSONSchema(
            compiling: ["properties": .object(JSONObject(names.map { ($0, ["type": "string"]) }))])
        // The instance spells each name decomposed (e + U+0301): the same String.
        let members = names.indices.map { "\"cafe\u{301}\($0)\":\($0)" }
        let instance = "{" + members.joined(separator: ",") + ",\"other\":1}"
        let violations = schema.validate(try JSONParser.parse(instance))
        #expect(violations.map(\.instancePath) == names.map { "/" + $0 })
        try Self.expectSameValidation(schema, instance)
    }

    @Test("runs out of budget at the same step as the tree", arguments: [1, 2, 3, 5, 8, 40, 200])
    func budget(steps: Int) throws {
        let schema = try JSONSchema(
            compiling: try JSONParser.parse(#"{"items":{"required":["a"],"properties":{"a":{"pattern":"b"}}}}"#))
        let instance = "[" + Array(repeating: #"{"a":"\nb"}"#, count: 30).joined(separator: ",") + "]"
        try Self.expectSameValidation(schema, instance, steps: steps)
    }

    @Test(
        "gives the tree's outcome on every case of the JSON-Schema-Test-Suite",
        .enabled(if: JSONSchemaConformanceTests.suiteFound))
    func officialSuite() throws {
        var compared = 0
        for file in JSONSchemaConformanceTests.files {
            let url = JSONSchemaConformanceTests.suiteDirectory.appendingPathComponent(file + ".json")
            for group in try JSONParser.parse(Array(try Data(contentsOf: url))).arrayValue ?? [] {
                guard let schema = try? JSONSchema(compiling: group["schema"] ?? true) else { continue }
                for test in group["tests"]?.arrayValue ?? [] {
                    try Self.expectSameValidation(schema, JSONWriter.string(test["data"] ?? nil))
                    compared += 1
                }
            }
        }
        #expect(compared > 1000)
    }
}
