import Scoring

/// Whether a run passed: the one rule behind `assay-evaluator run`'s exit status, its reports'
/// PASS/FAIL and (through ``meetsThreshold(_:passThreshold:gate:level:)``) the phase a run ends in.
public enum RunVerdict: String, Sendable, Hashable {
    case pass = "PASS"
    case fail = "FAIL"

    /// A run passes when every case has a result, every target reaches the suite's
    /// `passThreshold` (its pass rate, or with `gate.on: lowerBound` its interval's lower bound),
    /// no target regressed against a baseline, and it was not cancelled. `gate` and `level` are
    /// the run's own (``RunInfo``) unless given.
    public init(
        _ aggregates: RunAggregates, gate: GateSpec? = nil, level: Double? = nil, regressed: Bool = false
    ) {
        let meets = Self.meetsThreshold(
            aggregates.targets, passThreshold: aggregates.info.passThreshold, gate: gate ?? aggregates.info.gate,
            level: level ?? aggregates.info.confidenceLevel)
        let passes = aggregates.isComplete && meets && !regressed && aggregates.phase != .cancelled
        self = passes ? .pass : .fail
    }

    public var passed: Bool { self == .pass }

    /// The gate: every target reaches `passThreshold` (so a run with no targets meets it).
    public static func meetsThreshold(
        _ targets: [RunAggregates.TargetAggregates], passThreshold: Double, gate: GateSpec = GateSpec(),
        level: Double = EvaluationSuiteSpec.defaultConfidenceLevel
    ) -> Bool {
        targets.allSatisfy { RunVerdict(target: $0, passThreshold: passThreshold, gate: gate, level: level).passed }
    }

    /// One target's verdict: its pass rate (or, gated on `lowerBound`, the lower bound of its
    /// interval at `level`, the one the reports and the status show: Wilson's, cluster-robust by
    /// case with repeats) reaches `passThreshold`.
    public init(
        target: RunAggregates.TargetAggregates, passThreshold: Double, gate: GateSpec = GateSpec(),
        level: Double = EvaluationSuiteSpec.defaultConfidenceLevel
    ) {
        let gated: Double
        switch gate.on {
        case .estimate:
            gated = target.passRate
        case .lowerBound:
            gated = target.passRateInterval(level: level)?.low ?? 0
        }
        self = gated >= passThreshold ? .pass : .fail
    }
}
