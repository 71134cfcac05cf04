import AssayCore
import Testing

@testable import Scoring

@Suite("regex criterion")
struct ScoringRegexCriterionTests {
    static let cases: [(criterion: JSONValue, output: String, passed: Bool)] = [
        (["type": "regex", "pattern": "\\d{4}-\\d{2}-\\d{2}"], "Due 2024-06-30.", true),
        (["type": "regex", "pattern": "^\\d+$"], "12a", false),
        (["type": "regex", "pattern": "answer"], "ANSWER", false),
        (["type": "regex", "pattern": "answer", "caseInsensitive": true], "ANSWER", true),
        (["type": "regex", "pattern": ""], "", true),
        (["type": "regex", "pattern": "^$"], "", true),
        (["type": "regex", "pattern": "\\bcafé\\b"], "un café", true),
        (["type": "regex", "pattern": "(?m)^- item$"], "list:\n- item\n- other", true),
    ]

    @Test("passes when the pattern matches anywhere", arguments: cases)
    func matches(criterion: JSONValue, output: String, passed: Bool) throws {
        #expect(try evaluate(criterion, output: output).passed == passed)
    }

    @Test("quotes the match in the reason")
    func reasonQuotesMatch() throws {
        let result = try evaluate(["type": "regex", "pattern": "\\d+"], output: "abc 12345 def")
        #expect(result.reason == "pattern \"\\\\d+\" matched \"12345\"")
    }

    @Test("a catastrophic pattern fails the criterion quickly with a reason")
    func catastrophicPatternFails() throws {
        let start = ContinuousClock.now
        let result = try evaluate(
            ["type": "regex", "pattern": "(a+)+$"], output: String(repeating: "a", count: 40) + "!")
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(!result.passed)
        #expect(result.score == 0)
        #expect(result.reason.contains("could not be evaluated"))
        #expect(result.reason.contains("backtracking"))
    }

    @Test("an invalid pattern is a field error with PCRE2's message and offset")
    func invalidPattern() {
        #expect(
            decodeError(["type": "regex", "pattern": "(abc"])
                == FieldError(
                    path: "criteria[0].pattern",
                    message: "invalid regular expression at offset 4: missing closing parenthesis"))
    }

    @Test("criteria sharing a pattern share one compiled regex through the cache")
    func sharedRegex() throws {
        let cache = CriterionCache()
        let a = try cache.criterion(["type": "regex", "pattern": "x+", "name": "a"], at: "criteria[0]")
        let b = try cache.criterion(["type": "regex", "pattern": "x+", "name": "b"], at: "criteria[1]")
        guard case .regex(let ra) = a.kind, case .regex(let rb) = b.kind else {
            Issue.record("expected regex criteria")
            return
        }
        #expect(ra.regex === rb.regex)
    }
}
