/// The `type` of a criterion, spelled as in requests.
package enum CriterionType: String, Sendable, CaseIterable {
    case equals
    case contains
    case notContains
    case startsWith
    case endsWith
    case containsAll
    case containsAny
    case regex
    case isJSON
    case jsonSchema
    case numeric
    case length
    case similarity
    case llmJudge
    case latency
    case cost

    /// Every type name, sorted, for error messages.
    package static let validNames = allCases.map(\.rawValue).sorted().joined(separator: ", ")
}
