import AssayCore
import Testing

@Suite("YAMLLoader")
struct YAMLLoaderTests {
    @Test(
        "plain scalars resolve by the YAML 1.2 core schema and quoted ones stay strings",
        arguments: [
            ("a: 1", JSONValue.number(1)),
            ("a: -2.5e3", .number(-2500)),
            ("a: 0x1F", .number(31)),
            ("a: true", .bool(true)),
            ("a: False", .bool(false)),
            ("a: ~", .null),
            ("a:", .null),
            ("a: null", .null),
            ("a: '1'", .string("1")),
            ("a: \"true\"", .string("true")),
            ("a: !!str 42", .string("42")),
            ("a: yes", .string("yes")),
            ("a: 1.2.3", .string("1.2.3")),
            ("a: hello world", .string("hello world")),
            ("a: |\n  line one\n  line two\n", .string("line one\nline two\n")),
        ])
    func scalarsResolve(yaml: String, expected: JSONValue) throws {
        let value = try YAMLLoader.load(yaml)
        #expect(value["a"] == expected)
    }

    @Test("nested mappings and sequences become objects and arrays in document order")
    func nestedStructures() throws {
        let value = try YAMLLoader.load(
            """
            spec:
              targets:
              - name: small
                providers: [{type: openai, model: m}]
              passThreshold: 0.9
            """)
        let targets = value["spec"]?["targets"]?.arrayValue
        #expect(targets?.count == 1)
        #expect(targets?.first?["providers"]?.arrayValue?.first?["type"] == "openai")
        #expect(value["spec"]?["passThreshold"] == 0.9)
        #expect(value["spec"]?.objectValue?.keys == ["targets", "passThreshold"])
    }

    @Test("aliases copy the anchored node")
    func aliasesExpand() throws {
        let value = try YAMLLoader.load("base: &b {x: 1}\ncopy: *b\n")
        #expect(value["copy"] == ["x": 1])
    }

    @Test("a billion-laughs document is rejected by the node limit instead of expanding")
    func billionLaughsIsRejected() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(i): &a\(i) [\(refs)]\n"
        }
        #expect(throws: YAMLError.self) { try YAMLLoader.load(yaml) }
        do {
            _ = try YAMLLoader.load(yaml)
        } catch {
            #expect(error.reason.contains("nodes"))
        }
    }

    @Test("nesting past the depth limit is an error naming the limit")
    func depthLimit() {
        var limits = YAMLLimits()
        limits.maxDepth = 5
        let yaml = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(throws: YAMLError.self) { try YAMLLoader.load(yaml, limits: limits) }
    }

    @Test("a syntax error reports its line and column")
    func syntaxErrorPosition() {
        do {
            _ = try YAMLLoader.load("a: 1\nb: [1, 2\nc: 3\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line >= 2)
            #expect(error.column >= 1)
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("an undefined alias is an error")
    func undefinedAlias() {
        #expect(throws: YAMLError.self) { try YAMLLoader.load("a: *nope\n") }
    }

    @Test("merge keys are refused with a message saying what to do")
    func mergeKeysRefused() {
        do {
            _ = try YAMLLoader.load("base: &b {x: 1}\nc:\n  <<: *b\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains("merge keys"))
        }
    }

    @Test("a multi-document stream yields every document")
    func multiDocument() throws {
        let docs = try YAMLLoader.loadAll("kind: A\n---\nkind: B\n---\n")
        #expect(docs.map { $0["kind"] } == ["A", "B"])
    }
}
