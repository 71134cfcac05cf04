/// Why a statistic cannot be computed from what it was given. Each message says what was wrong
/// and what would make the statistic defined, so that a report can show it in place of a number.
package enum StatisticsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A confidence level outside the open interval (0, 1), or not a number.
    case invalidConfidenceLevel(Double)
    /// A rate or mean over nothing: no cases were counted.
    case noObservations
    /// More successes than trials, or a negative count.
    case countOutOfRange(successes: Int, trials: Int)
    /// A standard error needs at least two observations (or two clusters).
    case tooFewObservations(Int)
    /// A cluster-robust standard error needs at least two clusters.
    case tooFewClusters(Int)
    /// Two lists that describe the same cases differ in length.
    case lengthMismatch(String, expected: Int, actual: Int)
    /// A score that is infinite or not a number, at its 0-based position.
    case nonFiniteValue(index: Int)

    package var description: String {
        switch self {
        case .invalidConfidenceLevel(let level):
            "confidence level must be between 0 and 1 (exclusive), got \(level)"
        case .noObservations:
            "no cases were counted, so there is no rate or mean to estimate"
        case .countOutOfRange(let successes, let trials):
            "successes must be between 0 and the number of trials, got \(successes) of \(trials)"
        case .tooFewObservations(let count):
            "a standard error needs at least 2 observations, got \(count)"
        case .tooFewClusters(let count):
            "a cluster-robust standard error needs at least 2 clusters, got \(count)"
        case .lengthMismatch(let what, let expected, let actual):
            "\(what) has \(actual) entries for \(expected) cases"
        case .nonFiniteValue(let index):
            "score at position \(index) is not a finite number"
        }
    }
}
