import AssayCore

/// The outcome of one criterion, as the API reports it.
package struct CriterionResult: Sendable, Equatable {
    /// The criterion's `name`, or its type when it has none.
    package var name: String
    package var type: CriterionType
    package var passed: Bool
    package var score: Double
    package var reason: String

    /// `{"criterion", "type", "passed", "score", "reason"}`.
    package var json: JSONValue {
        .object(
            JSONObject([
                ("criterion", .string(name)),
                ("type", .string(type.rawValue)),
                ("passed", .bool(passed)),
                ("score", .number(score)),
                ("reason", .string(reason)),
            ]))
    }

    /// ``json`` written straight into `out` (the same bytes).
    package func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"criterion":"#.utf8)
        JSONWriter.writeString(name, into: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONWriter.writeString(type.rawValue, into: &out)
        out.append(contentsOf: #","passed":"#.utf8)
        out.append(contentsOf: passed ? "true".utf8 : "false".utf8)
        out.append(contentsOf: #","score":"#.utf8)
        JSONWriter.writeNumber(score, into: &out)
        out.append(contentsOf: #","reason":"#.utf8)
        JSONWriter.writeString(reason, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}
