import AssayCore
import Foundation
import Testing

/// The block decoder for strings with escapes (`JSONReader+Escapes`): every escape and every error
/// wherever it falls against the 64-byte blocks, the 16-byte copies and the byte-by-byte end of the
/// input, and random strings against Foundation and a byte-at-a-time reference.
@Suite("JSON escape decoder")
struct JSONEscapeDecoderTests {
    enum Outcome: Sendable {
        case decodes(String)
        /// The error's offset within the fragment and a word of its reason.
        case fails(Int, String)
    }

    static let fragments: [(String, Outcome)] = [
        (#"\""#, .decodes("\"")),
        (#"\\"#, .decodes("\\")),
        (#"\\\""#, .decodes("\\\"")),
        (#"\/\b\f\n\r\t"#, .decodes("/\u{8}\u{C}\n\r\t")),
        (#"\u00e9"#, .decodes("\u{e9}")),
        (#"\u4E2D"#, .decodes("\u{4E2D}")),
        (#"\ud83d\ude00"#, .decodes("\u{1F600}")),
        (#"\uDBFF\uDFFF"#, .decodes("\u{10FFFF}")),
        (#"\u0000"#, .decodes("\u{0}")),
        ("\u{e9}\u{1F600}", .decodes("\u{e9}\u{1F600}")),
        (#"\x"#, .fails(0, "invalid escape '\\x'")),
        (#"\ud83d"#, .fails(0, "must be followed by a \\u low surrogate")),
        (#"\ud83d\u0041"#, .fails(6, "\\u0041 is not a low surrogate")),
        (#"\ud83d\ud83d"#, .fails(6, "is not a low surrogate")),
        (#"\ude00"#, .fails(0, "a low surrogate must follow a high surrogate")),
        (#"\u12G4"#, .fails(4, "expected 4 hexadecimal digits")),
        (#"\ud83d\u12G4"#, .fails(10, "expected 4 hexadecimal digits")),
        ("\u{1}", .fails(0, "control character U+0001")),
        ("\u{1F}", .fails(0, "control character U+001F")),
        ("\n", .fails(0, "control character U+000A")),
    ]

    /// Filler after the fragment: none, within the byte-by-byte end, and past it.
    static let suffixLengths = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 95, 96, 97, 200]

    @Test("decodes every escape and reports every error at its byte, at each offset of a block", arguments: fragments)
    func fragmentAtEveryOffset(fragment: String, outcome: Outcome) {
        // The first escape (`\n`) starts the first block at offset 2; the fragment then falls on
        // each of the 64 positions of the first and second blocks.
        for before in 0..<140 {
            for after in Self.suffixLengths {
                let head = #""\n"# + String(repeating: "a", count: before)
                let tail = String(repeating: "b", count: after)
                let document = head + fragment + tail + "\""
                let place = "\(before) bytes before, \(after) after"
                switch outcome {
                case .decodes(let decoded):
                    let value = try? JSONParser.parse(Array(document.utf8))
                    let expected = "\n" + String(repeating: "a", count: before) + decoded + tail
                    #expect(value == .string(expected), "\(place)")
                case .fails(let offset, let reason):
                    let error = #expect(throws: JSONParseError.self, "\(place)") {
                        try JSONParser.parse(Array(document.utf8))
                    }
                    #expect(error?.offset == head.utf8.count + offset, "\(place)")
                    #expect(error?.reason.contains(reason) == true, "\(place): \(error?.reason ?? "")")
                }
            }
        }
    }

    /// (how the input ends, where the error is counted back from the end or nil for the string's
    /// opening quote, a word of the reason)
    static let endings: [(String, Int?, String)] = [
        (#"\""#, nil, "unterminated string"), (#"\\"#, nil, "unterminated string"),
        (#"\"#, nil, "unterminated string"), ("abc", nil, "unterminated string"),
        (#"\u12"#, 0, "unterminated string"), (#"\ud83d"#, 6, "unpaired surrogate"),
        (#"\ud83d\"#, 7, "unpaired surrogate"),
    ]

    @Test("an input that ends inside an escaped string fails where it ends, at any length")
    func unterminatedAtEveryLength() {
        for before in 0..<150 {
            for (ending, fromEnd, reason) in Self.endings {
                let document = Array((#"["\n"# + String(repeating: "a", count: before) + ending).utf8)
                let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(document) }
                #expect(error?.offset == fromEnd.map { document.count - $0 } ?? 1, "\(before) bytes, then \(ending)")
                #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
            }
        }
    }

    /// One piece of a random string: its JSON spelling and what it decodes to.
    static func randomPiece(_ random: inout SplitMix64) -> (json: String, text: String) {
        let plain = Array("abcdefghijklmnopqrstuvwxyz 0123456789.,:;!?-")
        switch random.next() % 16 {
        case 0: return (#"\""#, "\"")
        case 1: return (#"\\"#, "\\")
        case 2: return (#"\n"#, "\n")
        case 3: return (#"\t"#, "\t")
        case 4: return (#"\/"#, "/")
        case 5: return (#"\u00E9"#, "\u{e9}")
        case 6: return (#"\ud83d\ude80"#, "\u{1F680}")
        case 7: return ("\u{4E2D}\u{6587}", "\u{4E2D}\u{6587}")
        case 8: return ("\u{1F600}", "\u{1F600}")
        case 9: return (#"\u0001"#, "\u{1}")
        default:
            let count = Int(random.next() % 40)
            let chars = (0..<count).map { _ in plain[Int(random.next() % UInt64(plain.count))] }
            return (String(chars), String(chars))
        }
    }

    @Test("random strings decode to what they spell, as Foundation's JSONSerialization decodes them")
    func randomStringsAgreeWithFoundation() throws {
        var random = SplitMix64(seed: 20_261_206)
        for round in 0..<3000 {
            var json = ""
            var text = ""
            for _ in 0..<Int(random.next() % 30) {
                let piece = Self.randomPiece(&random)
                json += piece.json
                text += piece.text
            }
            // Half the strings end where the byte-by-byte loop takes over, half well before it.
            let document = round % 2 == 0 ? "[\"\(json)\"]" : "[\"\(json)\", \"\(String(repeating: "z", count: 100))\"]"
            let bytes = Array(document.utf8)
            let ours = try JSONParser.parse(bytes).arrayValue?.first
            #expect(ours == .string(text), "\(document)")
            let theirs = try JSONSerialization.jsonObject(with: Data(bytes)) as? [Any]
            #expect(theirs?.first as? String == text, "\(document)")
        }
    }

    @Test("random damaged strings fail or decode exactly as a byte-at-a-time reference decoder says")
    func randomDamageAgreesWithReference() {
        let damage: [String] = [
            #"\"#, #"\x"#, #"\u12G4"#, #"\ud800"#, #"\udc00"#, #"\ud800\u0041"#, "\u{1}", "\u{1F}", "\"",
        ]
        var random = SplitMix64(seed: 8259)
        for _ in 0..<4000 {
            var json = ""
            for _ in 0..<Int(random.next() % 24) {
                json +=
                    random.next() % 6 == 0
                    ? damage[Int(random.next() % UInt64(damage.count))] : Self.randomPiece(&random).json
            }
            let tail = random.next() % 2 == 0 ? "" : "\"" + String(repeating: "z", count: Int(random.next() % 120))
            let bytes = Array(("\"" + json + tail).utf8)
            let expected = ReferenceStringDecoder.decode(bytes)
            do {
                let value = try JSONParser.parse(bytes)
                guard case .string(let decoded, _) = expected else {
                    Issue.record("accepted \(String(decoding: bytes, as: UTF8.self)); reference: \(expected)")
                    continue
                }
                #expect(value == .string(decoded))
            } catch {
                switch expected {
                case .failure(let offset): #expect(error.offset == offset, "\(String(decoding: bytes, as: UTF8.self))")
                case .string(_, let end):
                    // The string is fine; the document fails after it (a second value).
                    #expect(error.offset >= end, "\(error) in \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
    }
}

/// The simplest decoder of a JSON string that starts at byte 0, one byte at a time, with the
/// parser's error offsets: the test's oracle for the block decoder.
enum ReferenceStringDecoder {
    enum Result: CustomStringConvertible {
        /// The decoded text and the offset after the closing quote.
        case string(String, Int)
        case failure(Int)
        var description: String {
            switch self {
            case .string(let text, _): "decodes to \(text.debugDescription)"
            case .failure(let offset): "fails at \(offset)"
            }
        }
    }

    static func decode(_ bytes: [UInt8]) -> Result {
        var utf8: [UInt8] = []
        func digit(_ at: Int) -> UInt32? {
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(bytes[at] - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(bytes[at] - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(bytes[at] - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        /// The four hex digits at `at`, or the offset of the first byte that is not one.
        func hex(_ at: Int) -> (value: UInt32, badByte: Int?) {
            var value: UInt32 = 0
            for i in at..<(at + 4) {
                guard let digit = digit(i) else { return (0, min(i, bytes.count)) }
                value = value << 4 | digit
            }
            return (value, nil)
        }
        var p = 1
        while true {
            guard p < bytes.count else { return .failure(0) }
            let byte = bytes[p]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { return .failure(p) }
            if byte != UInt8(ascii: "\\") {
                utf8.append(byte)
                p += 1
                continue
            }
            guard p + 1 < bytes.count else { return .failure(0) }
            let short: [UInt8: UInt8] = [
                0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 8, 0x66: 12, 0x6E: 10, 0x72: 13, 0x74: 9,
            ]
            if let decoded = short[bytes[p + 1]] {
                utf8.append(decoded)
                p += 2
                continue
            }
            guard bytes[p + 1] == UInt8(ascii: "u") else { return .failure(p) }
            let (unit, badUnit) = hex(p + 2)
            if let badUnit { return .failure(badUnit) }
            var scalar = unit
            var next = p + 6
            if (0xD800..<0xDC00).contains(unit) {
                guard next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u")
                else { return .failure(p) }
                let (low, badLow) = hex(next + 2)
                if let badLow { return .failure(badLow) }
                guard (0xDC00..<0xE000).contains(low) else { return .failure(next) }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else if (0xDC00..<0xE000).contains(unit) {
                return .failure(p)
            }
            utf8 += Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
            p = next
        }
        return .string(String(decoding: utf8, as: UTF8.self), p + 1)
    }
}
