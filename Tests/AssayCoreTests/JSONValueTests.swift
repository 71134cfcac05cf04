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

    /// Objects small enough to be scanned and objects large enough to keep a key index.
    static let sizes = [1, JSONObject.indexThreshold, JSONObject.indexThreshold + 1, 200]

    @Test("an object of any size finds, replaces and removes its members in document order", arguments: sizes)
    func membersAtEverySize(count: Int) {
        var object = JSONObject((0..<count).map { ("k\($0)", JSONValue.number(Double($0))) })
        #expect(object.count == count)
        #expect(object.keys == (0..<count).map { "k\($0)" })
        #expect(object["k\(count - 1)"] == .number(Double(count - 1)))
        #expect(object["missing"] == nil)
        // A duplicate keeps its first place and takes the last value.
        object["k0"] = "replaced"
        #expect(object.keys.first == "k0")
        #expect(object["k0"] == "replaced")
        #expect(object.count == count)
        // Removing a member keeps the others findable and in order.
        object["k0"] = nil
        #expect(object["k0"] == nil)
        #expect(object.keys == (1..<count).map { "k\($0)" })
        for i in 1..<count { #expect(object["k\(i)"] == .number(Double(i))) }
        #expect(Array(object.map(\.key)) == object.keys)
    }

    @Test("equal objects hash alike whatever their member order, at every size", arguments: sizes)
    func hashIgnoresOrder(count: Int) {
        let pairs = (0..<count).map { ("k\($0)", JSONValue.number(Double($0))) }
        let forward = JSONObject(pairs)
        let backward = JSONObject(pairs.reversed())
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        var changed = backward
        changed["k0"] = "other"
        #expect(forward != changed)
        #expect(Set([JSONValue.object(forward), .object(backward), .object(changed)]).count == 2)
    }

    @Test("a parsed object with many duplicate keys keeps one member per key")
    func parsedDuplicates() throws {
        let members = (0..<500).map { "\"k\($0 % 50)\":\($0)" }.joined(separator: ",")
        let object = try #require(try JSONParser.parse("{\(members)}").objectValue)
        #expect(object.count == 50)
        #expect(object["k7"] == 457)
        #expect(object.keys == (0..<50).map { "k\($0)" })
    }
}
