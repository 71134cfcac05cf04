import AssayCore
import Testing

@testable import Scoring

@Suite("length criterion")
struct ScoringLengthCriterionTests {
    static let characterCounts: [(text: String, count: Int)] = [
        ("", 0),
        ("hello", 5),
        ("line\r\nnext", 9),
        ("café", 4),
        ("cafe\u{301}", 4),
        ("👍🏽", 1),
        ("🇫🇷🇩🇪", 2),
        ("日本語", 3),
    ]

    @Test("chars counts grapheme clusters", arguments: characterCounts)
    func characters(text: String, count: Int) {
        #expect(LengthCriterion.characterCount(text) == count)
    }

    static let wordCounts: [(text: String, count: Int)] = [
        ("", 0),
        ("   ", 0),
        ("one", 1),
        ("  two words  ", 2),
        ("tabs\tand\nnewlines", 3),
        ("no\u{00A0}break\u{3000}space", 3),
        ("punctuation, counts: as-part of words.", 5),
    ]

    @Test("words counts runs of non-whitespace", arguments: wordCounts)
    func words(text: String, count: Int) {
        #expect(LengthCriterion.wordCount(text) == count)
    }

    static let cases: [(criterion: JSONValue, output: String, passed: Bool)] = [
        (["type": "length", "max": 5], "hello", true),
        (["type": "length", "max": 4], "hello", false),
        (["type": "length", "min": 6], "hello", false),
        (["type": "length", "min": 0, "max": 0], "", true),
        (["type": "length", "min": 2, "max": 3, "unit": "words"], "one two three", true),
        (["type": "length", "min": 2, "max": 3, "unit": "words"], "one two three four", false),
        (["type": "length", "max": 1], "👍🏽", true),
    ]

    @Test("passes within min and max", arguments: cases)
    func length(criterion: JSONValue, output: String, passed: Bool) throws {
        #expect(try evaluate(criterion, output: output).passed == passed)
    }

    @Test("the reason gives the measured length and the bounds")
    func reason() throws {
        #expect(
            try evaluate(["type": "length", "min": 2, "max": 3, "unit": "words"], output: "one").reason
                == "output has 1 word; expected between 2 and 3")
    }
}
