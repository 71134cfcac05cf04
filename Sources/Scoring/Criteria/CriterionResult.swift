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
}
