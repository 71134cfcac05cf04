@_spi(Testing) import AssayCore
import Testing

/// The wide block decoder of escapes (`assay_json_unescape_blocks`: AVX-512 VBMI2 or AVX2, each level
/// the CPU has; 64 bytes per step with no branch per escape) against the Swift block decoder and the
/// byte-at-a-time reference: the same value or the same error at the same byte, wherever an escape, a
/// run of backslashes or an error falls against its blocks. On a CPU with neither only the Swift path runs.
@Suite("JSON wide block decoder")
struct JSONWideBlockDecoderTests {
    /// `bytes` parsed at each level of the wide decoder this CPU has and without it: equal values,
    /// or errors with equal offsets and reasons. Returns the Swift decoder's result.
    static func parseBothWays(_ bytes: [UInt8]) -> Result<JSONValue, JSONParseError> {
        let narrow = Result { () throws(JSONParseError) in try JSONParser.parse(bytes, wideBlocks: 0) }
        for level in JSONParser.wideBlockLevels.dropFirst() {
            let wide = Result { () throws(JSONParseError) in try JSONParser.parse(bytes, wideBlocks: level) }
            switch (wide, narrow) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "level \(level): \(String(decoding: bytes, as: UTF8.self))")
            case (.failure(let a), .failure(let b)):
                #expect(a.offset == b.offset && a.reason == b.reason, "level \(level): \(a) against \(b)")
            default:
                Issue.record("level \(level) \(wide), Swift \(narrow) for \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        return narrow
    }

    /// Fragments that matter to the wide decoder beside the escape decoder's own table: runs of
    /// backslashes of each parity, an escaped quote after them, and escapes it leaves to Swift.
    static let fragments: [(String, JSONEscapeDecoderTests.Outcome)] =
        JSONEscapeDecoderTests.fragments + [
            (#"\\\\\\"#, .decodes(#"\\\"#)),
            (#"\\\\\""#, .decodes(#"\\""#)),
            (#"\\\n\\"#, .decodes("\\\n\\")),
            (#"\\\u0041"#, .decodes(#"\A"#)),
            (#"\\\x"#, .fails(2, "invalid escape '\\x'")),
            (#"\\\\"# + "\u{7F}", .decodes("\\\\\u{7F}")),
        ]

    @Test(
        "every escape and error decodes or fails alike at each position of a wide block", arguments: fragments)
    func fragmentAtEveryWideOffset(fragment: String, outcome: JSONEscapeDecoderTests.Outcome) {
        // The first escape starts the Swift decoder's block at offset 2; the wide decoder takes
        // over from the second block, so the fragment falls on each position of two wide blocks.
        for before in 60..<200 {
            for after in [0, 1, 63, 64, 65, 200] {
                let head = #""\n"# + String(repeating: "a", count: before)
                let tail = String(repeating: "b", count: after)
                let document = Array((head + fragment + tail + "\"" + String(repeating: " ", count: 100)).utf8)
                let place = "\(before) bytes before, \(after) after"
                switch (Self.parseBothWays(document), outcome) {
                case (.success(let value), .decodes(let decoded)):
                    #expect(value == .string("\n" + String(repeating: "a", count: before) + decoded + tail), "\(place)")
                case (.failure(let error), .fails(let offset, let reason)):
                    #expect(error.offset == head.utf8.count + offset, "\(place)")
                    #expect(error.reason.contains(reason), "\(place): \(error.reason)")
                case (let result, _):
                    Issue.record("\(place): \(result), expected \(outcome)")
                }
            }
        }
    }

    /// A piece of a long string: mostly text and two-character escapes, with runs of escaped
    /// backslashes of any length, and now and then a `\u` escape, non-ASCII text or damage.
    static func piece(_ random: inout SplitMix64, damaged: Bool) -> String {
        switch random.next() % 20 {
        case 0..<3: return String(repeating: #"\\"#, count: 1 + Int(random.next() % 6))
        case 3: return String(repeating: #"\\"#, count: Int(random.next() % 4)) + #"\""#
        case 4: return #"\n\t\/\b\f\r"#
        case 5: return random.next() % 4 == 0 ? #"\u00E9\ud83d\ude80"# : "\u{4E2D}\u{1F600}é"
        case 6 where damaged:
            return [#"\x"#, #"\u12G4"#, #"\ud800"#, "\u{1}", "\"", #"\"#][Int(random.next() % 6)]
        default:
            let plain = Array("abcdefghij klmnopqrstuvwxyz,.")
            return String((0..<Int(random.next() % 50)).map { _ in plain[Int(random.next() % UInt64(plain.count))] })
        }
    }

    @Test("long strings with runs of backslashes decode or fail as the byte-at-a-time reference says, both ways")
    func longStringsAgreeWithReference() {
        var random = SplitMix64(seed: 64_512)
        for round in 0..<1500 {
            let damaged = round % 3 == 0
            var json = "\""
            while json.utf8.count < 200 + Int(random.next() % 3000) {
                json += Self.piece(&random, damaged: damaged && random.next() % 40 == 0)
            }
            // The string ends either well before the input's end or within its last block.
            let bytes = Array((json + "\"" + String(repeating: " ", count: Int(random.next() % 200))).utf8)
            let expected = ReferenceStringDecoder.decode(bytes)
            switch (Self.parseBothWays(bytes), expected) {
            case (.success(let value), .string(let decoded, _)):
                #expect(value == .string(decoded))
            case (.failure(let error), .failure(let offset)):
                #expect(error.offset == offset, "\(String(decoding: bytes, as: UTF8.self))")
            case (.failure(let error), .string(_, let end)):
                // The string is fine; the document fails after it (damage put a second value there).
                #expect(error.offset >= end, "\(error)")
            case (let ours, _):
                Issue.record("ours \(ours), reference \(expected) for \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
