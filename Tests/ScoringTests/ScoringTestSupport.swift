import AssayCore

@testable import Scoring

/// Decodes `json` as `criteria[0]` and evaluates it on `output`.
func evaluate(_ json: JSONValue, output: String, reference: String? = nil) throws -> CriterionResult {
    try Criterion.decode(json, at: "criteria[0]").evaluate(EvaluationContext(output: output, reference: reference))
}

/// The error decoding `json` as `criteria[0]` throws, or `nil` when it decodes.
func decodeError(_ json: JSONValue) -> FieldError? {
    do {
        _ = try Criterion.decode(json, at: "criteria[0]")
        return nil
    } catch {
        return error
    }
}
