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
    /// How many times every case is evaluated (`spec.repeats`); each repeat is a work item of its own.
    public var repeats: Int
    /// The spending limit counted across every evaluator (`spec.budget`).
    public var budget: BudgetSpec?
    /// What the phase is gated on (`spec.gate`) and the intervals' level (`spec.confidenceLevel`).
    public var gate: GateSpec
    public var confidenceLevel: Double

    public init(
        id: RunID, suiteName: String, cases: [SuiteCase], targets: [String], criteria: [String],
        passThreshold: Double, resultTTL: Duration = defaultResultTTL, repeats: Int = 1, budget: BudgetSpec? = nil,
        gate: GateSpec = GateSpec(), confidenceLevel: Double = EvaluationSuiteSpec.defaultConfidenceLevel
    ) {
        self.budget = budget
        self.gate = gate
        self.confidenceLevel = confidenceLevel
        self.id = id
        self.suiteName = suiteName
        self.cases = cases
        self.targets = targets
        self.criteria = criteria
        self.passThreshold = passThreshold
        self.resultTTL = resultTTL
        self.repeats = max(1, repeats)
    }

    public var info: RunInfo {
        RunInfo(
            id: id, suiteName: suiteName, total: workItemCount, targets: targets, criteria: criteria,
            passThreshold: passThreshold, repeats: repeats, budget: budget, gate: gate,
            confidenceLevel: confidenceLevel)
    }

    /// Each case's dataset `cluster`, by case id (cases without one are independent).
    public var clusters: [String: String] { Self.clusters(of: cases) }

    /// The dataset `cluster` of each of `cases` that has one, by case id.
    public static func clusters(of cases: [SuiteCase]) -> [String: String] {
        var clusters: [String: String] = [:]
        for suiteCase in cases { if let cluster = suiteCase.field("cluster") { clusters[suiteCase.id] = cluster } }
        return clusters
    }

    /// Whether every result is tallied per cluster (its dataset `cluster`, else its case): with
    /// repeats, or when the dataset names clusters (``CaseTally/unit(caseID:cluster:everyCase:)``).
    public var tallyEveryCase: Bool { repeats > 1 || cases.contains { $0.field("cluster") != nil } }

    /// Cases times repeats: what the run counts.
    public var workItemCount: Int { cases.count * repeats }

    /// The work item at `index`: repeat-major (every case once, then every case again), so a run
    /// stopped early (a budget) has evaluated whole repeats first. Repeats count from 1.
    public func workItem(_ index: Int) -> (suiteCase: SuiteCase, repeat: Int) {
        (cases[index % cases.count], index / cases.count + 1)
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
    /// Every case is evaluated this many times; `total` counts each repeat.
    public var repeats: Int
    public var budget: BudgetSpec?
    /// What the phase is gated on: the pass rate or its interval's lower bound (`spec.gate.on`).
    public var gate: GateSpec
    /// The level of the intervals the gate and the status use (`spec.confidenceLevel`).
    public var confidenceLevel: Double

    public init(
        id: RunID, suiteName: String, total: Int, targets: [String], criteria: [String], passThreshold: Double,
        repeats: Int = 1, budget: BudgetSpec? = nil, gate: GateSpec = GateSpec(),
        confidenceLevel: Double = EvaluationSuiteSpec.defaultConfidenceLevel
    ) {
        self.budget = budget
        self.gate = gate
        self.confidenceLevel = confidenceLevel
        self.id = id
        self.suiteName = suiteName
        self.total = total
        self.targets = targets
        self.criteria = criteria
        self.passThreshold = passThreshold
        self.repeats = repeats
    }
}
