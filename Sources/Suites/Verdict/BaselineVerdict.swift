import AssayCore
import Scoring

/// This run against a baseline run: cases matched by id, targets by name, a paired test per
/// target. A target regresses when the one-sided p-value (is it worse?) is below
/// `spec.gate.alpha` and its pass rate dropped by more than `spec.gate.maxRegression`.
///
/// Each side's repeats are tallied per case (so a baseline with another repeat count still
/// compares). Without repeats, or when every case's repeats agree, it is McNemar's exact test on
/// the matched cases; otherwise ``PairedClusterTest`` on the per-case pass fractions. A case
/// counts as passing by strict majority of its repeats, which decides `newlyFailing` and
/// `newlyPassing`.
package struct BaselineVerdict: Sendable {
    package struct Target: Sendable {
        package var name: String
        /// Cases both runs have.
        package var cases: Int
        /// The pass rates over the matched cases (with repeats, mean per-case pass fractions).
        package var baselinePassRate: Double
        package var passRate: Double
        /// passRate - baselinePassRate over the matched cases (negative: a drop).
        package var difference: Double
        package var interval: DifferenceInterval
        /// One-sided: the chance of a drop this large if the target were as good as before.
        package var pValue: Double
        /// `mcnemar-exact`, or `paired-cluster` when some case's repeats disagree.
        package var test: PairedComparison.Test
        package var regressed: Bool
        /// Matched cases that passed (by majority of repeats) in the baseline and fail now, by
        /// case id (as the failing lists are): the order results finished in depends on timing,
        /// and a report, a status or a CI log should not change between identical runs.
        package var newlyFailing: [String]
        package var newlyPassing: [String]
    }

    package var targets: [Target]
    package var regressed: Bool { targets.contains(where: \.regressed) }

    init(baseline: BaselineReport, current: TargetOutcomes, targets names: [String], spec: EvaluationSuiteSpec) {
        targets = names.compactMap { name in
            guard let before = baseline.targets[name] else { return nil }
            var paired: [PairedComparison.RepeatedCase] = []
            var newlyFailing: [String] = []
            var newlyPassing: [String] = []
            for (now, cluster) in current.tallies(of: name) {
                guard let old = before[now.caseID] else { continue }
                // a is the baseline, b this run: the comparison's difference is the drop.
                paired.append(old.paired(with: now, cluster: cluster))
                if old.passedByMajority && !now.passedByMajority { newlyFailing.append(now.caseID) }
                if !old.passedByMajority && now.passedByMajority { newlyPassing.append(now.caseID) }
            }
            // One result per case on both sides (or repeats that all agree): McNemar over cases.
            guard let comparison = try? PairedComparison.compare(repeated: paired, level: spec.confidenceLevel)
            else { return nil }
            let drop = comparison.difference
            return Target(
                name: name, cases: comparison.cases, baselinePassRate: comparison.rateA, passRate: comparison.rateB,
                difference: -drop, interval: comparison.interval.negated, pValue: comparison.pValueBWorse,
                test: comparison.test,
                regressed: comparison.pValueBWorse < spec.gate.alpha && drop > spec.gate.maxRegression,
                newlyFailing: newlyFailing.sorted(), newlyPassing: newlyPassing.sorted())
        }
    }
}
