import AssayCore
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    static let cases: [(JSONValue, String)] = [
        (nil, "null"),
        (true, "true"),
        (false, "false"),
        (3, "3"),
        (-12, "-12"),
        (.number(-0.0), "0"),
        (3.5, "3.5"),
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (.number(9_007_199_254_740_991), "9007199254740991"),
        (.number(9_007_199_254_740_992), "9007199254740992.0"),
        (1e20, "1e+20"),
        (.number(.nan), "null"),
        (.number(.infinity), "null"),
        (.number(-.infinity), "null"),
        ("", #""""#),
        ("plain", #""plain""#),
        ("a\"b\\c", #""a\"b\\c""#),
        ("line\nnext\ttab\r\u{8}\u{C}", #""line\nnext\ttab\r\b\f""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("/ stays", #""/ stays""#),
        ("caf\u{e9} \u{4E2D} \u{1F600}", "\"caf\u{e9} \u{4E2D} \u{1F600}\""),
        (
            "a longer run of text with a \"quote\" in the middle",
            #""a longer run of text with a \"quote\" in the middle""#
        ),
        ([], "[]"),
        ([:], "{}"),
        ([1, "two", nil, [true]], #"[1,"two",null,[true]]"#),
        (["b": 1, "a": ["x": false]], #"{"b":1,"a":{"x":false}}"#),
    ]

    @Test("writes compact RFC 8259 JSON", arguments: cases)
    func writes(value: JSONValue, expected: String) {
        #expect(JSONWriter.string(value) == expected)
        #expect(JSONWriter.bytes(value) == Array(expected.utf8))
    }

    @Test("a document of half a million strings is written in linear time, not a buffer copy per string")
    func manyStringsLinear() {
        // Growing the buffer by just each string's room copied it whole per string: minutes here.
        let document = JSONValue.array(Array(repeating: .string("b"), count: 500_000))
        let start = ContinuousClock.now
        let written = JSONWriter.bytes(document)
        #expect(written.count == 2 + 500_000 * 4 - 1)
        #expect(ContinuousClock.now - start < .seconds(5), "\(ContinuousClock.now - start)")
    }

    @Test("appends to existing output")
    func appends() {
        var out = Array("prefix:".utf8)
        JSONWriter.write(["k": "v"], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:{"k":"v"}"#)
    }

    static let roundTripValues: [JSONValue] = [
        nil, true, 0, -1, 0.1, .number(1.0 / 3.0), 1e300, -2.5e-300, .number(.leastNonzeroMagnitude),
        1.7976931348623157e308,
        .number(Double(Int64(1) << 53) + 2), 123_456_789.125,
        "", "\u{0}", "\u{7F}", "\u{1F600}\u{1F600}", "\"\\\"\\\\", "mixed \u{e9}\n\"text\"\t\u{1}",
        [[[[]]]], ["": "", "a/b": ["~": nil]],
    ]

    @Test("parse(write(x)) == x", arguments: roundTripValues)
    func roundTrip(value: JSONValue) throws {
        let text = JSONWriter.string(value)
        #expect(try JSONParser.parse(text) == value, "written as \(text)")
    }

    @Test("round-trips generated documents with every kind of value and escape")
    func roundTripGenerated() throws {
        var random = SplitMix64(seed: 2026)
        for _ in 0..<200 {
            let value = Self.randomValue(&random, depth: 0)
            let bytes = JSONWriter.bytes(value)
            #expect(try JSONParser.parse(bytes) == value)
        }
    }

    /// The characters most likely to break an escaper or scanner.
    static let alphabet: [Character] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{80}", "\u{e9}",
        "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}", "\u{1F600}", "\u{10FFFF}", "`", "#", "{", "}",
    ]

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next() % (depth > 3 ? 4 : 6) {
        case 0: return .bool(random.next() % 2 == 0)
        case 1:
            let bits = random.next()
            let d = Double(bitPattern: bits)
            return d.isFinite ? .number(d) : .number(Double(Int64(bitPattern: bits) >> 11))
        case 2:
            let count = Int(random.next() % 40)
            return .string(String((0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        case 3: return nil
        case 4: return .array((0..<Int(random.next() % 5)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var object = JSONObject()
            for i in 0..<Int(random.next() % 5) { object["k\(i)\u{e9}\""] = randomValue(&random, depth: depth + 1) }
            return .object(object)
        }
    }
}
