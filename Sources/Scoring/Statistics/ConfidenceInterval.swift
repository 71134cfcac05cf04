import AssayCore

/// What every interval in a report has: its bounds, the level they hold at, and the name of the
/// method that computed them.
package protocol ConfidenceInterval: Sendable {
    var low: Double { get }
    var high: Double { get }
    var level: Double { get }
    var methodName: String { get }
}

extension ConfidenceInterval {
    /// `{"low", "high", "level", "method"}`.
    package var json: JSONValue {
        .object(
            JSONObject([
                ("low", .number(low)), ("high", .number(high)), ("level", .number(level)),
                ("method", .string(methodName)),
            ]))
    }

    package func contains(_ value: Double) -> Bool { low <= value && value <= high }
}
