import Testing

@testable import AssayCore
@testable import Scoring

/// The fast paths behind `minLength`/`maxLength` (``UTF8Length``, decided from the UTF-8 length
/// when it can be) and behind parsing a `String` (no second UTF-8 validation) give the same
/// answers as the plain ones.
@Suite("JSON string lengths and parsing strings")
struct JSONStringLengthTests {
    static let texts: [String] = [
        "", "a", "abcdefgh", "abcdefghi", "é", "e\u{301}", "Größe: 1 MiB ≈ 1 048 576 Bytes",
        "評価器はリクエストごとに基準を", "🚀 👩‍💻 🇩🇪 ❤️", String(repeating: "ж😀a", count: 1000),
    ]

    @Test("scalarCount equals unicodeScalars.count", arguments: texts)
    func scalarCount(text: String) {
        #expect(UTF8Length.scalarCount(text) == text.unicodeScalars.count)
        for cut in [1, 3, 7, 9] where cut <= text.unicodeScalars.count {
            let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(cut)))
            #expect(UTF8Length.scalarCount(prefix) == cut)
        }
    }

    @Test("minLength and maxLength at and around every text's length", arguments: texts)
    func bounds(text: String) throws {
        let length = text.unicodeScalars.count
        let instance = JSONValue.string(text)
        for limit in Set([0, max(0, length - 1), length, length + 1, text.utf8.count, text.utf8.count / 4]) {
            let minimum = try JSONSchema(compiling: ["minLength": .number(Double(limit))])
            let maximum = try JSONSchema(compiling: ["maxLength": .number(Double(limit))])
            #expect(minimum.isValid(instance) == (length >= limit), "minLength \(limit), length \(length)")
            #expect(maximum.isValid(instance) == (length <= limit), "maxLength \(limit), length \(length)")
            let both = try JSONSchema(compiling: [
                "minLength": .number(Double(limit)), "maxLength": .number(Double(limit + 2)),
            ])
            #expect(both.isValid(instance) == (length >= limit && length <= limit + 2))
        }
    }

    @Test("a violation still reports the length in code points")
    func reportedLength() throws {
        let schema = try JSONSchema(compiling: ["minLength": 5])
        let violations = schema.validate(.string("😀😀😀"))
        #expect(violations.map(\.message) == ["must be at least 5 characters long, got 3"])
    }

    @Test("parsing a String gives what parsing its bytes gives", arguments: texts)
    func parseString(text: String) throws {
        let documents = [
            JSONWriter.string(.string(text)),
            JSONWriter.string(.object(JSONObject([("k\u{e9}y", .string(text)), ("n", .array([.string(text)]))]))),
            #"["\u00e9\ud83d\ude00\n\"\\", "plain ünïcödé", "\/\b\f\r\t"]"#,
        ]
        for document in documents {
            #expect(try JSONParser.parse(document) == JSONParser.parse(Array(document.utf8)))
        }
    }

    @Test("parsing a String still rejects bad escapes and unpaired surrogates")
    func parseStringErrors() {
        for document in [#""\x""#, #""\ud800""#, #""\udc00x""#, "\"a\u{1}\""] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(document) }
        }
    }
}
