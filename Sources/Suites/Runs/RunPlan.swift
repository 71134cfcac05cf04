/// Everything a queue needs to create a run: its id, the cases to seed, and what the aggregates
/// are broken down by (targets and criteria, in suite order).
public struct RunPlan: Sendable, Hashable {
    /// Results and aggregates stay a week after the last write: long enough to read a nightly
    /// run's results the next working day, short enough that old runs do not pile up. (Our choice.)
    public static let defaultResultTTL = Duration.seconds(7 * 24 * 3600)

    public var id: RunID
    public var suiteName: String
    public var cases: [SuiteCase]
    public var targets: [String]
    public var criteria: [String]
    public var passThreshold: Double
    public var resultTTL: Duration

    public init(
        id: RunID, suiteName: String, cases: [SuiteCase], targets: [String], criteria: [String],
        passThreshold: Double, resultTTL: Duration = defaultResultTTL
    ) {
        self.id = id
        self.suiteName = suiteName
        self.cases = cases
        self.targets = targets
        self.criteria = criteria
        self.passThreshold = passThreshold
        self.resultTTL = resultTTL
    }

    public var info: RunInfo {
        RunInfo(
            id: id, suiteName: suiteName, total: cases.count, targets: targets, criteria: criteria,
            passThreshold: passThreshold)
    }
}

/// What is stored about a run besides its cases and results.
public struct RunInfo: Sendable, Hashable {
    public var id: RunID
    public var suiteName: String
    public var total: Int
    public var targets: [String]
    public var criteria: [String]
    public var passThreshold: Double

    public init(
        id: RunID, suiteName: String, total: Int, targets: [String], criteria: [String], passThreshold: Double
    ) {
        self.id = id
        self.suiteName = suiteName
        self.total = total
        self.targets = targets
        self.criteria = criteria
        self.passThreshold = passThreshold
    }
}
