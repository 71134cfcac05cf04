import AssayCore
import Testing

@testable import Scoring

@Suite("numeric criterion")
struct ScoringNumericCriterionTests {
    static let firstNumbers: [(text: String, number: Double?)] = [
        ("The answer is 42.", 42),
        ("-3.5 degrees", -3.5),
        ("temperature: -3.5", -3.5),
        ("+7", 7),
        ("about .5 of it", 0.5),
        ("-.25", -0.25),
        ("6.02e23 atoms", 6.02e23),
        ("1E-3", 0.001),
        ("3 eggs", 3),
        ("3e", 3),
        ("1,234,567.89 dollars", 1_234_567.89),
        ("1,234", 1234),
        ("1,5", 1),
        ("12,34", 12),
        ("1234,567", 1234),
        ("0,123", 0),
        ("1,2345", 1),
        ("COVID-19 cases", 19),
        ("x-1", 1),
        ("(-2)", -2),
        ("\u{2212}4 below", -4),
        ("version 2.0.1", 2.0),
        ("H2O", 2),
        ("no digits here", nil),
        ("", nil),
        ("٣ Arabic-Indic", nil),
        ("1.", 1),
    ]

    @Test("finds the first number in a text", arguments: firstNumbers)
    func firstNumber(text: String, number: Double?) {
        #expect(NumberScanner.firstNumber(in: text) == number)
    }

    static let cases: [(criterion: JSONValue, output: String, passed: Bool)] = [
        (["type": "numeric", "value": 42], "It is 42.", true),
        (["type": "numeric", "value": 42], "It is 42.5", false),
        (["type": "numeric", "value": 42, "tolerance": 0.5], "It is 42.5", true),
        (["type": "numeric", "value": 42, "tolerance": 0.49], "It is 42.5", false),
        (["type": "numeric", "value": -1], "-1", true),
        (["type": "numeric", "value": 1000], "1,000 items", true),
        (["type": "numeric", "value": 1], "first 2 then 1", false),
        (["type": "numeric", "value": 0], "none", false),
    ]

    @Test("passes when the first number is within tolerance", arguments: cases)
    func numeric(criterion: JSONValue, output: String, passed: Bool) throws {
        #expect(try evaluate(criterion, output: output).passed == passed)
    }

    @Test("reasons show what was found and expected")
    func reasons() throws {
        #expect(try evaluate(["type": "numeric", "value": 42], output: "41").reason == "found 41, expected 42")
        #expect(
            try evaluate(["type": "numeric", "value": 1.5, "tolerance": 0.25], output: "x").reason
                == "output contains no number; expected 1.5 ± 0.25")
    }
}
