import AssayCore
import Testing

@testable import Scoring

@Suite("criterion decoding errors")
struct ScoringDecodeErrorTests {
    static let cases: [(criterion: JSONValue, path: String, message: String)] = [
        ("contains", "criteria[0]", "must be an object, got string"),
        ([:], "criteria[0].type", "is required"),
        (["type": 3], "criteria[0].type", "must be a string, got number"),
        (
            ["type": "containz", "value": "x"], "criteria[0].type",
            "unknown criterion type \"containz\"; expected one of: " + CriterionType.validNames
        ),
        (["type": "contains"], "criteria[0].value", "is required"),
        (["type": "contains", "value": 5], "criteria[0].value", "must be a string, got number"),
        (
            ["type": "contains", "value": "x", "valeu": "y"], "criteria[0].valeu",
            "is not a known field; expected one of: caseSensitive, name, type, value, weight"
        ),
        (
            ["type": "contains", "value": "x", "trimWhitespace": true], "criteria[0].trimWhitespace",
            "is not a known field; expected one of: caseSensitive, name, type, value, weight"
        ),
        (
            ["type": "contains", "value": "x", "caseSensitive": "no"], "criteria[0].caseSensitive",
            "must be a boolean, got string"
        ),
        (
            ["type": "contains", "value": "x", "weight": -1], "criteria[0].weight",
            "must be between 0 and 1000000, got -1.0"
        ),
        (
            ["type": "contains", "value": "x", "weight": 1e300], "criteria[0].weight",
            "must be between 0 and 1000000, got 1e+300"
        ),
        (["type": "contains", "value": "x", "weight": "1"], "criteria[0].weight", "must be a number, got string"),
        (["type": "contains", "value": "x", "name": ""], "criteria[0].name", "must not be empty"),
        (
            ["type": "contains", "value": "x", "threshold": 0.5], "criteria[0].threshold",
            "is not a known field; expected one of: caseSensitive, name, type, value, weight"
        ),
        (["type": "containsAll"], "criteria[0].values", "is required"),
        (["type": "containsAll", "values": []], "criteria[0].values", "must contain at least one string"),
        (["type": "containsAny", "values": ["a", 1]], "criteria[0].values[1]", "must be a string, got number"),
        (["type": "regex"], "criteria[0].pattern", "is required"),
        (
            ["type": "regex", "pattern": "a{2,1}"], "criteria[0].pattern",
            "invalid regular expression at offset 5: numbers out of order in {} quantifier"
        ),
        (["type": "numeric"], "criteria[0].value", "is required"),
        (["type": "numeric", "value": 1, "tolerance": -0.1], "criteria[0].tolerance", "must be at least 0, got -0.1"),
        (["type": "length"], "criteria[0]", "needs at least one of min and max"),
        (["type": "length", "min": 1.5], "criteria[0].min", "must be a whole number, got 1.5"),
        (["type": "length", "max": -1], "criteria[0].max", "must be at least 0, got -1"),
        (["type": "length", "min": 5, "max": 3], "criteria[0].max", "must be at least min (5), got 3"),
        (
            ["type": "length", "max": 3, "unit": "bytes"], "criteria[0].unit",
            "must be one of: chars, words; got \"bytes\""
        ),
        (["type": "similarity"], "criteria[0].method", "is required"),
        (
            ["type": "similarity", "method": "cosine"], "criteria[0].method",
            "must be one of: tokenF1, rougeL, bleu; got \"cosine\""
        ),
        (
            ["type": "similarity", "method": "bleu", "threshold": 1.5], "criteria[0].threshold",
            "must be between 0 and 1, got 1.5"
        ),
        (
            ["type": "isJSON", "schema": [:]], "criteria[0].schema",
            "is not a known field; expected one of: extractFromCodeFence, name, type, weight"
        ),
    ]

    @Test("decoding errors name the field and say what is wrong", arguments: cases)
    func decodeErrors(criterion: JSONValue, path: String, message: String) {
        #expect(decodeError(criterion) == FieldError(path: path, message: message))
    }

    @Test("criterion lists report the failing element's index")
    func listErrors() {
        #expect(throws: FieldError(path: "criteria", message: "must contain at least one criterion")) {
            try Scorecard.decode([])
        }
        #expect(throws: FieldError(path: "criteria", message: "must be an array of criteria, got object")) {
            try Scorecard.decode([:])
        }
        #expect(throws: FieldError(path: "criteria[1].value", message: "is required")) {
            try Scorecard.decode([["type": "contains", "value": "a"], ["type": "equals"]])
        }
        let tooMany = JSONValue.array(Array(repeating: ["type": "isJSON"], count: Scorecard.maxCriteria + 1))
        #expect(throws: FieldError.self) { try Scorecard.decode(tooMany) }
    }
}
