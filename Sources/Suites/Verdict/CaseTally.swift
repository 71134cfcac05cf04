import Scoring

/// One case's results for one target, over however many repeats it ran: how a run with repeats
/// is compared, with another target or with a baseline run, case by case.
package struct CaseTally: Sendable, Hashable {
    package var passed: Int
    package var runs: Int
    package var scoreSum: Double

    /// One result.
    package init(passed: Bool, score: Double) {
        self.passed = passed ? 1 : 0
        runs = 1
        scoreSum = score
    }

    /// Adds one more repeat's result.
    package mutating func add(passed: Bool, score: Double) {
        if passed { self.passed += 1 }
        runs += 1
        scoreSum += score
    }

    package var meanScore: Double { scoreSum / Double(runs) }

    /// The case passes by strict majority: more than half its repeats passed (with one run, it
    /// passed). What "newly failing" and "newly passing" mean with repeats.
    package var passedByMajority: Bool { 2 * passed > runs }
}

extension TargetOutcomes {
    /// One target's results tallied per case, in the order cases were first recorded, each with
    /// its cluster.
    package func tallies(of target: String) -> [(caseID: String, tally: CaseTally, cluster: String?)] {
        var tallies: [(caseID: String, tally: CaseTally, cluster: String?)] = []
        var positions: [String: Int] = [:]
        for outcome in results(of: target) {
            let result = outcome.result
            if let position = positions[outcome.caseID] {
                tallies[position].tally.add(passed: result.passed, score: result.score)
            } else {
                positions[outcome.caseID] = tallies.count
                tallies.append((outcome.caseID, CaseTally(passed: result.passed, score: result.score), outcome.cluster))
            }
        }
        return tallies
    }

    /// The cases both targets have results for, tallied over their repeats.
    func pairedByCase(_ a: String, _ b: String) -> [PairedComparison.RepeatedCase] {
        var other: [String: CaseTally] = [:]
        for item in tallies(of: b) { other[item.caseID] = item.tally }
        return tallies(of: a).compactMap { item in
            other[item.caseID].map { item.tally.paired(with: $0, cluster: item.cluster) }
        }
    }
}

extension CaseTally {
    /// This case's tally as side a against `b`'s.
    func paired(with b: CaseTally, cluster: String?) -> PairedComparison.RepeatedCase {
        PairedComparison.RepeatedCase(
            passedA: passed, runsA: runs, passedB: b.passed, runsB: b.runs, scoreA: meanScore, scoreB: b.meanScore,
            cluster: cluster)
    }
}
