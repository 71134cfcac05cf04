import AssayCore
import Scoring

/// This run against a baseline run: cases matched by id, targets by name, McNemar's exact test
/// per target. A target regresses when the one-sided p-value (is it worse?) is below
/// `spec.gate.alpha` and its pass rate dropped by more than `spec.gate.maxRegression`.
package struct BaselineVerdict: Sendable {
    package struct Target: Sendable {
        package var name: String
        /// Cases both runs have.
        package var cases: Int
        package var baselinePassRate: Double
        package var passRate: Double
        /// passRate - baselinePassRate over the matched cases (negative: a drop).
        package var difference: Double
        package var interval: DifferenceInterval
        /// One-sided: the chance of a drop this large if the target were as good as before.
        package var pValue: Double
        package var regressed: Bool
        /// Matched cases that passed in the baseline and fail now, in this run's order.
        package var newlyFailing: [String]
        package var newlyPassing: [String]
    }

    package var targets: [Target]
    package var regressed: Bool { targets.contains(where: \.regressed) }

    init(baseline: BaselineReport, current: TargetOutcomes, targets names: [String], spec: EvaluationSuiteSpec) {
        targets = names.compactMap { name in
            guard let before = baseline.targets[name] else { return nil }
            var paired: [PairedComparison.Case] = []
            var newlyFailing: [String] = []
            var newlyPassing: [String] = []
            for outcome in current.results(of: name) {
                guard let old = before[outcome.caseID] else { continue }
                paired.append(
                    PairedComparison.Case(
                        passedA: old.passed, passedB: outcome.result.passed, scoreA: old.score,
                        scoreB: outcome.result.score, cluster: outcome.cluster))
                if old.passed && !outcome.result.passed { newlyFailing.append(outcome.caseID) }
                if !old.passed && outcome.result.passed { newlyPassing.append(outcome.caseID) }
            }
            // a is the baseline, b this run: the comparison's difference is the drop.
            guard let comparison = try? PairedComparison.compare(paired, level: spec.confidenceLevel) else {
                return nil
            }
            let drop = comparison.difference
            let interval = comparison.interval.negated
            return Target(
                name: name, cases: comparison.cases,
                baselinePassRate: Double(comparison.outcomes.passedA) / Double(comparison.cases),
                passRate: Double(comparison.outcomes.passedB) / Double(comparison.cases), difference: -drop,
                interval: interval, pValue: comparison.pValueBWorse,
                regressed: comparison.pValueBWorse < spec.gate.alpha && drop > spec.gate.maxRegression,
                newlyFailing: newlyFailing, newlyPassing: newlyPassing)
        }
    }
}
