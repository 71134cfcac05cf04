import AssayCore
import TestSupport
import Testing

@testable import Scoring

/// Prints throughput; asserts nothing about time (see the JSONPerf suite).
@Suite("JSONSchemaPerf")
struct JSONSchemaPerfTests {
    static let repetitions = 15

    @Test("prints schema validation throughput on a 10,000-object array")
    func validationThroughput() throws {
        let schema = try JSONSchema(
            compiling: try JSONParser.parse(
                ##"""
                {"type": "array", "items": {"$ref": "#/$defs/finding"}, "$defs": {"finding": {
                  "type": "object", "required": ["id", "severity", "message"], "additionalProperties": false,
                  "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z]+-[0-9]+$"},
                    "severity": {"enum": ["low", "medium", "high"]},
                    "score": {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.01},
                    "message": {"type": "string", "minLength": 1, "maxLength": 500},
                    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}}}}}
                """##))
        let finding: JSONValue = [
            "id": "CVE-1234", "severity": "high", "score": 0.75, "message": "caf\u{e9} is not escaped properly",
            "tags": ["a", "b", "c"],
        ]
        let instance = JSONValue.array(Array(repeating: finding, count: 10_000))
        var valid = false
        let seconds = bestSeconds(repetitions: Self.repetitions) { valid = schema.isValid(instance) }
        #expect(valid)
        print("JSONPerf: JSONSchema.isValid on 10,000 objects: \((seconds * 1e6).rounded() / 1e3) ms")
    }
}
