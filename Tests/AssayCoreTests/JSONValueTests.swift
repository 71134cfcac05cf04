import AssayCore
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("objects compare equal regardless of member order")
    func objectsCompareEqualRegardlessOfOrder() {
        let a: JSONValue = ["x": 1, "y": "two"]
        let b: JSONValue = ["y": "two", "x": 1]
        #expect(a == b)
    }

    @Test("objects keep document order and the last duplicate wins")
    func objectsKeepOrder() {
        let o = JSONObject([("b", 1), ("a", 2), ("b", 3)])
        #expect(o.keys == ["b", "a"])
        #expect(o["b"] == 3)
    }
}
