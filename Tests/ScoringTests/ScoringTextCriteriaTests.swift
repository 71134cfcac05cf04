import AssayCore
import Testing

@testable import Scoring

@Suite("Text criteria")
struct ScoringTextCriteriaTests {
    static let equalsCases: [(criterion: JSONValue, output: String, passed: Bool)] = [
        (["type": "equals", "value": "Paris"], "Paris", true),
        (["type": "equals", "value": "Paris"], "paris", false),
        (["type": "equals", "value": "Paris"], "Paris ", false),
        (["type": "equals", "value": "Paris", "caseSensitive": false], "PARIS", true),
        (["type": "equals", "value": "Paris", "caseSensitive": false], "PARIS!", false),
        (["type": "equals", "value": ""], "", true),
        (["type": "equals", "value": ""], " ", false),
        (["type": "equals", "value": "Paris", "trimWhitespace": true], " \n\tParis\u{00A0}\u{3000}", true),
        (["type": "equals", "value": "  Paris  ", "trimWhitespace": true], "Paris", true),
        (["type": "equals", "value": "New York", "trimWhitespace": true], "New  York", false),
        (["type": "equals", "value": "New York", "normalizeWhitespace": true], " New \n\u{2003} York\n", true),
        (["type": "equals", "value": "New York", "normalizeWhitespace": true], "NewYork", false),
        (["type": "equals", "value": "", "trimWhitespace": true], " \n ", true),
        (["type": "equals", "value": "Straße", "caseSensitive": false], "STRASSE", false),
        (["type": "equals", "value": "ÉCOLE", "caseSensitive": false], "école", true),
        (["type": "equals", "value": "café"], "cafe\u{301}", false),
        (["type": "equals", "value": "kelvin", "caseSensitive": false], "\u{212A}elvin", true),
        (
            ["type": "equals", "value": "new york", "caseSensitive": false, "normalizeWhitespace": true], "New\tYORK",
            true
        ),
    ]

    @Test("equals compares the whole output, with case and whitespace options", arguments: equalsCases)
    func equals(criterion: JSONValue, output: String, passed: Bool) throws {
        let result = try evaluate(criterion, output: output)
        #expect(result.passed == passed)
        #expect(result.score == (passed ? 1 : 0))
    }

    static let containsCases: [(type: String, value: String, caseSensitive: Bool, output: String, found: Bool)] = [
        ("contains", "needle", true, "hay needle hay", true),
        ("contains", "needle", true, "hay NEEDLE hay", false),
        ("contains", "needle", false, "hay NEEDLE hay", true),
        ("contains", "needle", false, "hay NeEdLe", true),
        ("contains", "needle", true, "", false),
        ("contains", "", true, "", true),
        ("contains", "", true, "anything", true),
        ("contains", "ünïcödé", true, "some ünïcödé text", true),
        ("contains", "ÜNÏCÖDÉ", false, "some ünïcödé text", true),
        ("contains", "😀", true, "smile 😀!", true),
        ("contains", "e", true, "caf\u{E9}", false),
        ("contains", "i", false, "\u{130}stanbul", true),
        ("contains", "aab", true, String(repeating: "a", count: 100_000) + "b", true),
        ("contains", String(repeating: "a", count: 500) + "b", true, String(repeating: "a", count: 100_000), false),
        (
            "contains", String(repeating: "a", count: 500) + "b", false, String(repeating: "A", count: 100_000) + "b",
            true
        ),
        ("notContains", "secret", true, "nothing here", true),
        ("notContains", "secret", true, "the secret is out", false),
        ("notContains", "SECRET", false, "the secret is out", false),
        ("notContains", "", true, "anything", false),
        ("startsWith", "Hello", true, "Hello, world", true),
        ("startsWith", "hello", true, "Hello, world", false),
        ("startsWith", "hello", false, "Hello, world", true),
        ("startsWith", "Hello, world!", true, "Hello", false),
        ("startsWith", "", true, "", true),
        ("startsWith", "Ωμέγα", false, "ΩΜΈΓΑ λ", true),
        ("endsWith", "world", true, "Hello, world", true),
        ("endsWith", "WORLD", false, "Hello, world", true),
        ("endsWith", "world", true, "Hello, world.", false),
        ("endsWith", "👍🏽", true, "done 👍🏽", true),
        ("endsWith", "longer than output", true, "output", false),
    ]

    @Test("contains, notContains, startsWith and endsWith", arguments: containsCases)
    func containment(type: String, value: String, caseSensitive: Bool, output: String, found: Bool) throws {
        let criterion: JSONValue = [
            "type": .string(type), "value": .string(value), "caseSensitive": .bool(caseSensitive),
        ]
        let result = try evaluate(criterion, output: output)
        #expect(result.passed == found)
        #expect(result.type.rawValue == type)
    }

    static let listCases: [(type: String, values: [String], caseSensitive: Bool, output: String, passed: Bool)] = [
        ("containsAll", ["alpha", "beta"], true, "beta then alpha", true),
        ("containsAll", ["alpha", "beta"], true, "alpha only", false),
        ("containsAll", ["ALPHA", "Beta"], false, "alpha and BETA", true),
        ("containsAll", [""], true, "", true),
        ("containsAny", ["alpha", "beta"], true, "gamma beta", true),
        ("containsAny", ["alpha", "beta"], true, "gamma delta", false),
        ("containsAny", ["ALPHA"], false, "alpha", true),
        ("containsAny", ["x"], true, "", false),
    ]

    @Test("containsAll needs every value, containsAny one of them", arguments: listCases)
    func lists(type: String, values: [String], caseSensitive: Bool, output: String, passed: Bool) throws {
        let criterion: JSONValue = [
            "type": .string(type), "values": .array(values.map(JSONValue.string)),
            "caseSensitive": .bool(caseSensitive),
        ]
        #expect(try evaluate(criterion, output: output).passed == passed)
    }

    @Test("reasons name what was missing and never echo long text in full")
    func reasons() throws {
        let missing = try evaluate(
            ["type": "containsAll", "values": ["a", "b", "c", "d", "e"]], output: "only a")
        #expect(missing.reason == "output is missing 4 of 5 values: \"b\", \"c\", \"d\" and 1 more")
        let long = String(repeating: "x", count: 10_000)
        let result = try evaluate(["type": "contains", "value": .string(long)], output: "short")
        #expect(result.reason.count < 150)
        #expect(result.reason.hasSuffix("…\" (10000 characters)"))
        let equals = try evaluate(["type": "equals", "value": "a"], output: String(repeating: "y", count: 1_000_000))
        #expect(equals.reason.count < 200)
        #expect(
            try evaluate(["type": "contains", "value": "X", "caseSensitive": false], output: "x").reason
                == "output contains \"X\" (ignoring case)")
    }

    @Test("contains scans a 1 MB output")
    func megabyteOutput() throws {
        let output = String(repeating: "# Heading\nSome *markdown* text with `code`.\n", count: 24_000) + "FINAL ANSWER"
        #expect(try evaluate(["type": "contains", "value": "FINAL ANSWER"], output: output).passed)
        #expect(
            try evaluate(["type": "contains", "value": "final answer", "caseSensitive": false], output: output).passed)
        #expect(try !evaluate(["type": "contains", "value": "missing"], output: output).passed)
        #expect(try evaluate(["type": "endsWith", "value": "answer", "caseSensitive": false], output: output).passed)
    }
}
