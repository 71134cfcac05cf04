/// Whether a run passed: the one rule behind `assay-evaluator run`'s exit status, its reports'
/// PASS/FAIL and (through ``meetsThreshold(_:passThreshold:)``) the phase a run ends in.
public enum RunVerdict: String, Sendable, Hashable {
    case pass = "PASS"
    case fail = "FAIL"

    /// A run passes when every case has a result, every target's pass rate reaches the suite's
    /// `passThreshold`, and it was not cancelled.
    public init(_ aggregates: RunAggregates) {
        let passes = aggregates.isComplete && aggregates.meetsThreshold && aggregates.phase != .cancelled
        self = passes ? .pass : .fail
    }

    public var passed: Bool { self == .pass }

    /// The gate: every target's pass rate reaches `passThreshold` (so a run with no targets meets it).
    public static func meetsThreshold(_ targets: [RunAggregates.TargetAggregates], passThreshold: Double) -> Bool {
        targets.allSatisfy { RunVerdict(target: $0, passThreshold: passThreshold).passed }
    }

    /// One target's verdict: its pass rate reaches `passThreshold`.
    public init(target: RunAggregates.TargetAggregates, passThreshold: Double) {
        self = target.passRate >= passThreshold ? .pass : .fail
    }
}
