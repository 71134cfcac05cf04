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
        self.init(aggregates, meetsThreshold: meets, regressed: regressed)
    }

    /// The run's verdict once each target's has been decided (`meetsThreshold`: all passed).
    package init(_ aggregates: RunAggregates, meetsThreshold: Bool, regressed: Bool) {
        let passes = aggregates.isComplete && meetsThreshold && !regressed && aggregates.phase != .cancelled
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
        self.init(
            rate: target.passRate, interval: target.passRateInterval(level: level), passThreshold: passThreshold,
            gate: gate)
    }

    /// The one rule: `rate`, or gated on `lowerBound` the lower bound of `interval` (none: 0),
    /// reaches `passThreshold`.
    package init(rate: Double, interval: (any ConfidenceInterval)?, passThreshold: Double, gate: GateSpec) {
        let gated: Double
        switch gate.on {
        case .estimate: gated = rate
        case .lowerBound: gated = interval?.low ?? 0
        }
        self = gated >= passThreshold ? .pass : .fail
    }
}
