import AssayCore
import Testing

@testable import Scoring

@Suite("JSON criteria")
struct ScoringJSONCriteriaTests {
    static let isJSONCases: [(output: String, extract: Bool, passed: Bool)] = [
        ("{\"a\": 1}", true, true),
        ("  [1, 2, 3]\n", true, true),
        ("42", true, true),
        ("\"text\"", true, true),
        ("", true, false),
        ("{\"a\": 1,}", true, false),
        ("Here it is: {\"a\": 1}", true, false),
        ("```json\n{\"a\": 1}\n```", true, true),
        ("\n  ```\n[true]\n```  \n", true, true),
        ("````json\n{\"fence\": \"```\"}\n````", true, true),
        ("```json\n{\"a\": 1}\n```", false, false),
        ("```json\n{\"a\": 1}\n``` trailing", true, false),
        ("```json\n{\"a\": 1}```", true, false),
        ("Sure!\n```json\n{\"a\": 1}\n```", true, false),
    ]

    @Test("isJSON accepts one JSON document, optionally inside one code fence", arguments: isJSONCases)
    func isJSON(output: String, extract: Bool, passed: Bool) throws {
        let result = try evaluate(["type": "isJSON", "extractFromCodeFence": .bool(extract)], output: output)
        #expect(result.passed == passed)
    }

    @Test("a parse error names its line and column in the output, counting the fence line")
    func parseErrorPosition() throws {
        let plain = try evaluate(["type": "isJSON"], output: "{\n  \"a\": 1,\n}")
        #expect(plain.reason.hasPrefix("output is not valid JSON: line 3, column 1: "))
        let fenced = try evaluate(["type": "isJSON"], output: "```json\n{\n  \"a\": tru\n}\n```")
        #expect(fenced.reason.hasPrefix("output inside a code fence is not valid JSON: line 3, column "))
    }

    static let schema: JSONValue = [
        "type": "object",
        "required": ["name", "age"],
        "properties": ["name": ["type": "string"], "age": ["type": "integer", "minimum": 0]],
    ]

    static let schemaCases: [(output: String, passed: Bool)] = [
        ("{\"name\": \"Ada\", \"age\": 36}", true),
        ("```json\n{\"name\": \"Ada\", \"age\": 36}\n```", true),
        ("{\"name\": \"Ada\"}", false),
        ("{\"name\": \"Ada\", \"age\": -1}", false),
        ("[]", false),
        ("not json", false),
    ]

    @Test("jsonSchema validates the parsed output", arguments: schemaCases)
    func jsonSchema(output: String, passed: Bool) throws {
        #expect(try evaluate(["type": "jsonSchema", "schema": Self.schema], output: output).passed == passed)
    }

    @Test("schema violations are listed with their instance paths")
    func violationReason() throws {
        let result = try evaluate(["type": "jsonSchema", "schema": Self.schema], output: "{\"name\": 7, \"age\": -1}")
        #expect(result.reason.hasPrefix("output does not match the schema (2 violations): "))
        #expect(result.reason.contains("/name: "))
        #expect(result.reason.contains("/age: "))
    }

    @Test("an invalid schema is a field error inside criteria[i].schema")
    func invalidSchema() {
        let error = decodeError(["type": "jsonSchema", "schema": ["type": "object", "minProperties": "two"]])
        #expect(error?.path == "criteria[0].schema.minProperties")
        let missing = decodeError(["type": "jsonSchema"])
        #expect(missing == FieldError(path: "criteria[0].schema", message: "is required"))
    }
}
