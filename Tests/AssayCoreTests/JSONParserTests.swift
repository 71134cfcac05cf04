import AssayCore
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    static let validDocuments: [(String, JSONValue)] = [
        ("0", 0),
        ("-0", .number(-0.0)),
        ("1.5e3", 1500),
        ("1E+2", 100),
        ("2.5E-3", 0.0025),
        ("0.1", 0.1),
        ("-123.456", -123.456),
        ("123456789012345678901234567890", .number(1.2345678901234568e29)),
        ("9007199254740993", .number(9_007_199_254_740_992)),
        ("2.2250738585072014e-308", .number(2.2250738585072014e-308)),
        ("1e-400", 0),
        ("true", true),
        ("false", false),
        ("null", nil),
        (" \t\r\n [ 1 , 2 ]\n", [1, 2]),
        ("[]", []),
        ("{}", [:]),
        (#"{"a":{"b":[{"c":null}]}}"#, ["a": ["b": [["c": nil]]]]),
        (#"{"a":1,"a":2}"#, ["a": 2]),
        (#""""#, ""),
        (#""a\u00e9b""#, "a\u{e9}b"),
        (#""\u4E2D\u6587""#, "\u{4E2D}\u{6587}"),
        (#""\ud83d\ude00""#, "\u{1F600}"),
        (#""\u0000""#, "\u{0}"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        ("\"caf\u{e9} \u{4E2D} \u{1F600}\"", "caf\u{e9} \u{4E2D} \u{1F600}"),
        (#""plain text that is longer than eight bytes""#, "plain text that is longer than eight bytes"),
        (#""escape after a long run of plain text \n and more""#, "escape after a long run of plain text \n and more"),
    ]

    @Test("accepts valid documents and decodes them", arguments: validDocuments)
    func acceptsValid(text: String, expected: JSONValue) throws {
        let value = try JSONParser.parse(text)
        #expect(value == expected)
    }

    @Test("keeps the sign of negative zero")
    func negativeZero() throws {
        let value = try JSONParser.parse("-0.0")
        #expect(value.doubleValue?.sign == .minus)
    }

    /// (document, offset, line, column, words the reason must contain)
    static let invalidDocuments: [(String, Int, Int, Int, String)] = [
        ("", 0, 1, 1, "unexpected end of input"),
        ("   ", 3, 1, 4, "unexpected end of input"),
        ("[1,]", 3, 1, 4, "expected a value"),
        (#"{"a":1,}"#, 7, 1, 8, "expected a string to begin an object member name"),
        (#"{"a" 1}"#, 5, 1, 6, "expected ':'"),
        (#"{"a":1 "b":2}"#, 7, 1, 8, "expected ',' or '}' after object member"),
        ("{1:2}", 1, 1, 2, "expected a string to begin an object member name"),
        ("[1 2]", 3, 1, 4, "expected ',' or ']' after array element"),
        ("[1", 2, 1, 3, "unexpected end of input"),
        ("01", 1, 1, 2, "leading zeros"),
        ("-", 1, 1, 2, "expected a digit after '-'"),
        ("-a", 1, 1, 2, "expected a digit after '-'"),
        ("1.", 2, 1, 3, "after the decimal point"),
        ("1.e5", 2, 1, 3, "after the decimal point"),
        ("1e", 2, 1, 3, "exponent"),
        ("1e+", 3, 1, 4, "exponent"),
        (".5", 0, 1, 1, "expected a value"),
        ("+1", 0, 1, 1, "expected a value"),
        ("NaN", 0, 1, 1, "expected a value"),
        ("Infinity", 0, 1, 1, "expected a value"),
        ("1e400", 0, 1, 1, "outside the range"),
        ("-1e400", 0, 1, 1, "outside the range"),
        ("[1] x", 4, 1, 5, "after the JSON value"),
        ("1 2", 2, 1, 3, "after the JSON value"),
        ("tru", 3, 1, 4, "unexpected end of input in literal"),
        ("trux", 3, 1, 4, "invalid literal, expected 'true'"),
        ("nul", 3, 1, 4, "expected 'null'"),
        ("True", 0, 1, 1, "expected a value"),
        ("\"abc", 0, 1, 1, "unterminated string"),
        ("\"a\u{1}b\"", 2, 1, 3, "control character U+0001 must be escaped"),
        ("\"a\nb\"", 2, 1, 3, "control character U+000A must be escaped"),
        ("\"a\tb\"", 2, 1, 3, "control character U+0009"),
        (#""\x""#, 1, 1, 2, "invalid escape '\\x'"),
        (#""\u12G4""#, 5, 1, 6, "expected 4 hexadecimal digits"),
        (#""\u12""#, 5, 1, 6, "expected 4 hexadecimal digits"),
        (#""\ud800""#, 1, 1, 2, "unpaired surrogate \\uD800"),
        (#""\udc00""#, 1, 1, 2, "a low surrogate must follow a high surrogate"),
        (#""\ud800\u0041""#, 7, 1, 8, "\\u0041 is not a low surrogate"),
        (#""\ud800x""#, 1, 1, 2, "must be followed by a \\u low surrogate"),
        ("/* comment */ 1", 0, 1, 1, "expected a value"),
        ("[1] // comment", 4, 1, 5, "after the JSON value"),
        ("{\n  \"a\": 1\n  \"b\": 2\n}", 13, 3, 3, "expected ',' or '}' after object member"),
        ("[\"\u{e9}\" x]", 6, 1, 6, "expected ',' or ']'"),
        ("\u{FEFF}1", 0, 1, 1, "byte 0xEF"),
    ]

    @Test("rejects invalid documents with the position and reason", arguments: invalidDocuments)
    func rejectsInvalid(text: String, offset: Int, line: Int, column: Int, reason: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.offset == offset)
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.reason.contains(reason) == true, "reason was: \(error?.reason ?? "")")
    }

    @Test("describes errors as line, column and reason")
    func errorDescription() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": 1\n  \"b\": 2\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "line 3, column 3: expected ',' or '}' after object member")
        }
    }

    /// (bytes, offset of the bad byte)
    static let invalidUTF8: [([UInt8], Int)] = [
        ([0x22, 0xC0, 0x80, 0x22], 1),  // overlong 2-byte form of U+0000
        ([0x22, 0xC1, 0xBF, 0x22], 1),  // overlong 2-byte form
        ([0x22, 0xE0, 0x80, 0x80, 0x22], 2),  // overlong 3-byte form
        ([0x22, 0xF0, 0x80, 0x80, 0x80, 0x22], 2),  // overlong 4-byte form
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // UTF-16 surrogate U+D800 encoded in UTF-8
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),  // lead byte that never occurs
        ([0x22, 0xFF, 0x22], 1),
        ([0x22, 0x80, 0x22], 1),  // lone continuation byte
        ([0x22, 0x61, 0xC3, 0x22], 3),  // truncated 2-byte sequence
        ([0x22, 0xE4, 0xB8, 0x22], 3),  // truncated 3-byte sequence
        ([0x22, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xC3, 0x28, 0x22], 11),  // after a SWAR word
    ]

    @Test("rejects invalid UTF-8 inside strings at the offending byte", arguments: invalidUTF8)
    func rejectsInvalidUTF8(bytes: [UInt8], offset: Int) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error?.offset == offset)
        #expect(error?.reason.contains("UTF-8") == true, "reason was: \(error?.reason ?? "")")
    }

    static let validUTF8: [([UInt8], String)] = [
        ([0x22, 0xC2, 0x80, 0x22], "\u{80}"),
        ([0x22, 0xDF, 0xBF, 0x22], "\u{7FF}"),
        ([0x22, 0xE0, 0xA0, 0x80, 0x22], "\u{800}"),
        ([0x22, 0xED, 0x9F, 0xBF, 0x22], "\u{D7FF}"),
        ([0x22, 0xEE, 0x80, 0x80, 0x22], "\u{E000}"),
        ([0x22, 0xEF, 0xBF, 0xBF, 0x22], "\u{FFFF}"),
        ([0x22, 0xF0, 0x90, 0x80, 0x80, 0x22], "\u{10000}"),
        ([0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22], "\u{10FFFF}"),
    ]

    @Test("accepts UTF-8 at the boundaries of each sequence length", arguments: validUTF8)
    func acceptsBoundaryUTF8(bytes: [UInt8], expected: String) throws {
        #expect(try JSONParser.parse(bytes) == .string(expected))
    }

    @Test("the SIMD UTF-8 check agrees with the standard library's, wherever in a 64-byte block the sequence falls")
    func simdValidationAgrees() {
        let samples = Self.invalidUTF8.map(\.0) + Self.validUTF8.map(\.0)
        for sample in samples {
            for padding in [0, 1, 31, 60, 63, 64, 65, 127, 200] {
                let bytes = Array(repeating: UInt8(ascii: "a"), count: padding) + sample + Array("\u{e9}x".utf8)
                let expected = String(validating: bytes, as: UTF8.self) != nil
                #expect(bytes.withUnsafeBytes(UTF8Validation.isValid) == expected, "\(padding) bytes before \(sample)")
            }
        }
        #expect(UTF8Validation.isValid(UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    @Test("a long body with one bad byte far inside is rejected at that byte")
    func invalidUTF8FarInside() {
        let text = String(repeating: "caf\u{e9} \u{65e5}\u{672c} ", count: 500)
        var bytes = Array(#"{"output": ""#.utf8) + Array(text.utf8)
        let bad = bytes.count
        bytes += [0xED, 0xA0, 0x80] + Array(#"", "n": 1}"#.utf8)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error?.offset == bad + 1)
        #expect(error?.reason.contains("UTF-8") == true)
    }

    @Test("finds the special byte at every position of an eight-byte word", arguments: 0..<20)
    func specialBytePositions(position: Int) throws {
        let prefix = String(repeating: "a", count: position)
        let escapes: [(String, String)] = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), ("\u{e9}", "\u{e9}")]
        for (escaped, decoded) in escapes {
            let value = try JSONParser.parse("\"\(prefix)\(escaped)tail-of-the-string\"")
            #expect(value == .string(prefix + decoded + "tail-of-the-string"))
        }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("\"\(prefix)\u{1}tail\"") }
    }

    @Test("enforces the nesting limit and names it")
    func depthLimit() throws {
        let limit = JSONLimits.defaultMaxDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        _ = try JSONParser.parse(deepest)
        let tooDeep = "[" + deepest + "]"
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(tooDeep) }
        #expect(error?.offset == limit)
        #expect(error?.reason.contains("limit of \(limit) levels") == true)
        let mixed = #"{"a":[{"b":[1]}]}"#
        _ = try JSONParser.parse(mixed, limits: JSONLimits(maxDepth: 4))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(mixed, limits: JSONLimits(maxDepth: 3)) }
    }

    @Test("enforces the number length limit and names it")
    func numberLengthLimit() throws {
        let limit = JSONLimits.defaultMaxNumberLength
        let longest = "0." + String(repeating: "1", count: limit - 2)
        #expect(try JSONParser.parse("[" + longest + "]").arrayValue?.first?.doubleValue == 0.1111111111111111)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("[" + longest + "1]") }
        #expect(error?.offset == 1)
        #expect(error?.reason == "number is \(limit + 1) characters long; the limit is \(limit)")
        let short = JSONLimits(maxNumberLength: 3)
        #expect(try JSONParser.parse("-12", limits: short) == -12)
        #expect(throws: JSONParseError.self) { try JSONParser.parse("1e10", limits: short) }
    }

    @Test("parses bytes, buffers and strings alike")
    func entryPointsAgree() throws {
        let text = #"{"text":"caf\u00e9 \"quoted\"","n":[1,2.5,-3e2]}"#
        let fromString = try JSONParser.parse(text)
        let fromBytes = try JSONParser.parse(Array(text.utf8))
        let fromBuffer = try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        #expect(fromString == fromBytes)
        #expect(fromString == fromBuffer)
        #expect(fromString["text"] == "caf\u{e9} \"quoted\"")
    }

    @Test("mutated documents are accepted or rejected cleanly, with offsets inside the input")
    func mutations() {
        let seed = Array(
            #"{"a":[1,-2.5e3,true,null],"s":"x\"y\\z\u00e9\ud83d\ude00 caf\#u{e9} long enough to span words"}"#.utf8)
        let interesting: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x80, 0xC3, 0xED, 0xF4, 0xFF, 0x7B, 0x5D, 0x2C, 0x75]
        var random = SplitMix64(seed: 8259)
        for _ in 0..<5000 {
            var bytes = seed
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let i = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[i] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: bytes.remove(at: i)
                default: bytes.removeSubrange(i...)
                }
                if bytes.isEmpty { break }
            }
            do {
                let value = try JSONParser.parse(bytes)
                #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
    }
}
