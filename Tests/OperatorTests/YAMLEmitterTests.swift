import AssayCore
import Testing

@testable import Operator

@Suite("YAMLEmitter")
struct YAMLEmitterTests {
    @Test(
        "scalars YAML would misread are quoted and read back as strings",
        arguments: ["yes", "No", "on", "null", "~", "", "1.0", "0x1F", "-x", "a: b", "#c", "true", "8080", " x", "ok"])
    func quoting(text: String) throws {
        let document: JSONValue = ["k": .string(text), "list": [.string(text)]]
        #expect(try YAMLLoader.load(YAMLEmitter.document(document)) == document)
    }

    @Test("nested lists and objects round-trip in document order")
    func nesting() throws {
        let document: JSONValue = [
            "a": [["b": 1, "c": [1, 2]], [[1, 2], []], [:]], "d": ["e": ["f": false]], "g": .null,
        ]
        #expect(try YAMLLoader.load(YAMLEmitter.document(document)) == document)
    }
}
