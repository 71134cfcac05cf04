import Common

/// The outcome of one criterion, as the API reports it.
struct CriterionResult: Sendable, Equatable {
    /// The criterion's `name`, or its type when it has none.
    var name: String
    var type: CriterionType
    var passed: Bool
    var score: Double
    var reason: String

    /// `{"criterion", "type", "passed", "score", "reason"}`.
    var json: JSONValue {
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
