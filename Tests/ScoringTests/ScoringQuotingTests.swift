import Testing

@testable import Scoring

/// `Quoting.quote` returns short plain ASCII as it is, in quotes, and escapes or elides the rest.
@Suite("Quoting")
struct ScoringQuotingTests {
    static let cases: [(text: String, quoted: String)] = [
        ("", #""""#),
        ("Conclusion: verified 2026", #""Conclusion: verified 2026""#),
        ("[Cc]onclusion: [a-z]+ [0-9]{4}", #""[Cc]onclusion: [a-z]+ [0-9]{4}""#),
        (#"\d{3}-\d{4}"#, #""\\d{3}-\\d{4}""#),
        (#"say "hi""#, #""say \"hi\"""#),
        ("tab\there", #""tab\there""#),
        ("line\r\nnext", #""line\nnext""#),
        ("naïve", #""naïve""#),
        (String(repeating: "a", count: 80), "\"" + String(repeating: "a", count: 80) + "\""),
        (String(repeating: "a", count: 81), "\"" + String(repeating: "a", count: 80) + "…\" (81 characters)"),
    ]

    @Test("quotes, escapes and elides", arguments: cases)
    func quote(text: String, quoted: String) {
        #expect(Quoting.quote(text) == quoted)
    }
}
