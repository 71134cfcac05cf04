import AssayCore
import Testing

/// ``JSONTape`` against ``JSONParser``: the same values, the same errors (offset, line, column and
/// reason) on the parser's own tables, on every escape at every offset of a block, and on random
/// documents and their mutations; names compared as `JSONObject` compares them.
@Suite("JSON tape")
struct JSONTapeTests {
    /// What a parse gave: a value or an error, comparable.
    enum Outcome: Equatable {
        case value(JSONValue)
        case error(JSONParseError)
    }

    static func tree(_ bytes: [UInt8]) -> Outcome {
        do throws(JSONParseError) { return .value(try JSONParser.parse(bytes)) } catch { return .error(error) }
    }

    static func tape(_ bytes: [UInt8]) -> Outcome {
        do throws(JSONParseError) { return .value(try JSONTape.parse(bytes).value) } catch { return .error(error) }
    }

    /// The tape parsed from a `String` (the way model outputs are), as an outcome.
    static func tape(_ text: String) -> Outcome {
        do throws(JSONParseError) { return .value(try JSONTape.parse(text).value) } catch { return .error(error) }
    }

    static func expectAgree(_ text: String, _ comment: Comment? = nil) {
        let expected = tree(Array(text.utf8))
        #expect(tape(text) == expected, comment)
        #expect(tape(Array(text.utf8)) == expected, comment)
        if let tape = try? JSONTape.parse(text), tape.tree == nil {
            #expect(tape.withView(decodedLengthsMatch), comment)
        }
    }

    /// Whether every string under `view` records the length its decoded text has.
    static func decodedLengthsMatch(_ view: JSONTapeView) -> Bool {
        switch view.kind {
        case .string: view.count == view.string.utf8.count
        case .array: view.elements.allSatisfy(decodedLengthsMatch)
        case .object: view.members.allSatisfy { decodedLengthsMatch($0.value) }
        default: true
        }
    }

    @Test("gives the parser's value for each of its valid documents", arguments: JSONParserTests.validDocuments)
    func validDocuments(text: String, expected: JSONValue) throws {
        let tape = try JSONTape.parse(text)
        #expect(tape.value == expected)
        #expect(tape.typeName == expected.typeName)
    }

    @Test("gives the parser's error for each of its invalid documents", arguments: JSONParserTests.invalidDocuments)
    func invalidDocuments(text: String, offset: Int, line: Int, column: Int, reason: String) {
        #expect(Self.tape(text) == Self.tree(Array(text.utf8)))
        let error = #expect(throws: JSONParseError.self) { try JSONTape.parse(text) }
        #expect(error?.offset == offset && error?.line == line && error?.column == column)
        #expect(error?.reason.contains(reason) == true)
    }

    @Test("gives the parser's error for invalid UTF-8", arguments: JSONParserTests.invalidUTF8)
    func invalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(Self.tape(bytes) == Self.tree(bytes))
        guard case .error(let error) = Self.tape(bytes) else { return }
        #expect(error.offset == offset)
    }

    @Test("enforces the depth and number length limits as the parser does")
    func limits() {
        let limits = JSONLimits(maxDepth: 3, maxNumberLength: 5)
        for text in ["[[[1]]]", "[[[[1]]]]", #"{"a":{"b":{"c":{}}}}"#, "123456", "[12345]", "-1234"] {
            let tree = Result { () throws(JSONParseError) in try JSONParser.parse(text, limits: limits) }
            let tape = Result { () throws(JSONParseError) in try JSONTape.parse(text, limits: limits).value }
            #expect(tree == tape, "\(text)")
        }
    }

    @Test(
        "checks every escape and reports every error at its byte, at each offset of a block",
        arguments: JSONEscapeDecoderTests.fragments.map(\.0))
    func escapesAtEveryOffset(fragment: String) throws {
        for before in 0..<140 {
            for after in JSONEscapeDecoderTests.suffixLengths {
                let text =
                    #"{"k\n":"\n"# + String(repeating: "a", count: before) + fragment
                    + String(repeating: "b", count: after) + #"","z":1}"#
                Self.expectAgree(text, "\(before) bytes before, \(after) after")
                guard case .value = Self.tree(Array(text.utf8)) else { continue }
                // The decoded length the tape records is the decoded string's.
                try JSONTape.parse(text).withView { root in
                    let string = root.member("k\n")
                    #expect(string?.count == string?.string.utf8.count)
                }
            }
        }
    }

    @Test("an input that ends inside a string fails where the parser fails, at any length")
    func unterminated() {
        for before in 0..<150 {
            for (ending, _, _) in JSONEscapeDecoderTests.endings {
                Self.expectAgree(#"["\n"# + String(repeating: "a", count: before) + ending)
            }
        }
    }

    /// Objects the tape does not represent itself: more than 12 members, a name twice (also as an
    /// escape, or canonically equivalent text), kept as the parser's tree.
    static let treeDocuments = [
        "{" + (0..<13).map { "\"m\($0)\":\($0)" }.joined(separator: ",") + "}",
        #"{"a":1,"b":2,"a":3}"#,
        #"[{"x":1},{"a":1,"\u0061":2}]"#,
        "{\"caf\u{e9}\":1,\"cafe\u{301}\":2}",
        #"{"caf\u00e9":1,"cafe\u0301":2}"#,
    ]

    @Test("keeps the parser's tree for large objects and repeated names", arguments: treeDocuments)
    func treeFallback(text: String) throws {
        let tape = try JSONTape.parse(text)
        #expect(tape.tree != nil)
        #expect(tape.value == (try JSONParser.parse(text)))
    }

    @Test("finds members as JSONObject does: escaped names, canonically equivalent names, absent names")
    func memberLookup() throws {
        let text = #"{"pla\u0069n":1,"caf\u00e9":2,"na\u00efve":3,"e\u0301":4,"":5}"#
        let tape = try JSONTape.parse(text)
        #expect(tape.tree == nil)
        let object = try JSONParser.parse(text)
        for name in ["plain", "caf\u{e9}", "cafe\u{301}", "na\u{ef}ve", "\u{e9}", "e\u{301}", "", "absent", "plai"] {
            let found = tape.withView { $0.member(name)?.value }
            #expect(found == object[name], "\(name)")
        }
        tape.withView { root in
            #expect(root.members.map(\.key) == object.objectValue?.keys)
            #expect(root.count == 5)
        }
    }

    @Test("random documents and their mutations parse to the parser's value or fail with its error")
    func randomDocuments() {
        var random = SplitMix64(seed: 15_2026)
        for round in 0..<1500 {
            // Half with whitespace after, which puts every string on the 64-byte block path.
            let text = Self.randomValue(&random, depth: 0) + String(repeating: " ", count: round % 2 * 100)
            Self.expectAgree(text, "\(text)")
            var bytes = Array(text.utf8)
            for _ in 0..<(1 + Int(random.next() % 3)) where !bytes.isEmpty {
                let i = Int(random.next() % UInt64(bytes.count))
                let interesting: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x80, 0xC3, 0x7B, 0x5D, 0x2C, 0x75, 0x3A]
                switch random.next() % 3 {
                case 0: bytes[i] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: bytes.remove(at: i)
                default: bytes.removeSubrange(i...)
                }
            }
            #expect(Self.tape(bytes) == Self.tree(bytes), "round \(round): \(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test("a megabyte model output parses to the parser's value")
    func largeDocument() throws {
        let output = JSONTestDocuments.modelOutput(size: 300_000)
        let text =
            ##"{"title":"t","sections":[{"heading":"h","body":"# "##
            + JSONTestDocuments.quoted(output).dropFirst() + #"}],"n":[1.5,-0,1e300,true,false,null]}"#
        let tape = try JSONTape.parse(text)
        #expect(tape.tree == nil)
        #expect(tape.value == (try JSONParser.parse(text)))
        #expect(tape.withView(Self.decodedLengthsMatch))
    }

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> String {
        switch random.next() % (depth > 3 ? 4 : 7) {
        case 0: return ["null", "true", "false"][Int(random.next() % 3)]
        case 1: return ["0", "-1.5", "2e10", "123456789012345678901234567890"][Int(random.next() % 4)]
        case 2, 3: return Self.randomString(&random)
        case 4, 5:
            let count = Int(random.next() % 15)
            let members = (0..<count).map { _ in
                let name = random.next() % 4 == 0 ? Self.randomString(&random) : "\"k\(random.next() % 6)\""
                return name + ":" + Self.randomValue(&random, depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + "}"
        default:
            let count = Int(random.next() % 5)
            return "[" + (0..<count).map { _ in Self.randomValue(&random, depth: depth + 1) }.joined(separator: ", ")
                + "]"
        }
    }

    static func randomString(_ random: inout SplitMix64) -> String {
        var json = ""
        for _ in 0..<Int(random.next() % 12) {
            json += JSONEscapeDecoderTests.randomPiece(&random).json
        }
        return "\"" + json + "\""
    }
}
