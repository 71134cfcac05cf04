import AssayCore
import Testing

@testable import Scoring

@Suite("Similarity metrics")
struct SimilarityMetricTests {
    static let squadTokens: [(text: String, tokens: [String])] = [
        ("The Cat, the HAT!", ["cat", "hat"]),
        ("an apple a day", ["apple", "day"]),
        ("theater and anthem", ["theater", "and", "anthem"]),
        ("a-b the.", ["ab"]),
        ("  ", []),
        ("Ünïcode—the end", ["ünïcode—", "end"]),
    ]

    @Test("SQuAD normalisation lowercases, strips punctuation and articles", arguments: squadTokens)
    func squadNormalisation(text: String, tokens: [String]) {
        #expect(TokenF1.normalizedTokens(text) == tokens)
    }

    static let rougeTokens: [(text: String, tokens: [String])] = [
        ("Hello, World! 42x", ["hello", "world", "42x"]),
        ("café crème", ["caf", "cr", "me"]),
        ("snake_case", ["snake", "case"]),
        ("\u{212A}elvin", ["kelvin"]),
    ]

    @Test("rouge-score's tokenizer keeps runs of a-z and 0-9 after lowercasing", arguments: rougeTokens)
    func rougeTokenizer(text: String, tokens: [String]) {
        #expect(RougeL.tokens(text) == tokens)
    }

    static let tokenizer13a: [(text: String, tokens: [String])] = [
        ("Hello, world.", ["Hello", ",", "world", "."]),
        ("It costs $1,234.56!", ["It", "costs", "$", "1,234.56", "!"]),
        ("state-of-the-art 2019-2020", ["state-of-the-art", "2019", "-", "2020"]),
        ("Tom &amp; Jerry &quot;x&quot;", ["Tom", "&", "Jerry", "\"", "x", "\""]),
        ("multi-\nline", ["multiline"]),
        ("a..b", ["a", ".", ".", "b"]),
        ("don't", ["don't"]),
    ]

    @Test("the 13a tokenizer splits like mteval-v13a", arguments: tokenizer13a)
    func tokenizer(text: String, tokens: [String]) {
        #expect(Tokenizer13a.tokens(text) == tokens)
    }

    @Test("the bit-parallel LCS equals the textbook dynamic programme")
    func lcsMatchesDynamicProgramme() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let a = (0..<Int.random(in: 0...150, using: &generator)).map { _ in String(Int.random(in: 0..<5)) }
            let b = (0..<Int.random(in: 0...150, using: &generator)).map { _ in String(Int.random(in: 0..<5)) }
            #expect(LongestCommonSubsequence.length(a, b) == Self.textbookLCS(a, b))
        }
    }

    static func textbookLCS(_ a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var current = [Int](repeating: 0, count: b.count + 1)
            for (j, y) in b.enumerated() {
                current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            previous = current
        }
        return previous[b.count]
    }

    static let thresholds: [(method: String, threshold: Double, passed: Bool)] = [
        ("tokenF1", 0.5, true),
        ("tokenF1", 0.9, false),
        ("rougeL", 0.5, true),
        ("bleu", 0.1, true),
        ("bleu", 0.99, false),
    ]

    @Test("similarity scores the measured value and passes at the threshold", arguments: thresholds)
    func threshold(method: String, threshold: Double, passed: Bool) throws {
        let result = try evaluate(
            ["type": "similarity", "method": .string(method), "threshold": .number(threshold)],
            output: "the quick brown fox jumps over the dog", reference: "the quick brown fox jumped over the lazy dog")
        #expect(result.passed == passed)
        #expect(result.score > 0 && result.score < 1)
    }

    @Test("identical texts score 1 and disjoint texts 0 on every method")
    func extremes() throws {
        for method in SimilarityCriterion.Method.allCases {
            let criterion: JSONValue = ["type": "similarity", "method": .string(method.rawValue)]
            let text = "the answer is forty two"
            #expect(try abs(evaluate(criterion, output: text, reference: text).score - 1) < 1e-12)
            #expect(try evaluate(criterion, output: "zebra", reference: text).score == 0)
        }
    }

    @Test("rougeL refuses comparisons beyond its work limit instead of stalling")
    func rougeWorkLimit() throws {
        let long = String(repeating: "word ", count: 80_000)
        let result = try evaluate(["type": "similarity", "method": "rougeL"], output: long, reference: long)
        #expect(!result.passed)
        #expect(result.reason.contains("work limit"))
    }
}
