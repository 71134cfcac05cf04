import Scoring

extension TargetOutcomes {
    /// One target's results tallied per case, in the order cases were first recorded, each with
    /// its cluster.
    package func tallies(of target: String) -> [(tally: CaseTally, cluster: String?)] {
        var tallies: [(tally: CaseTally, cluster: String?)] = []
        var positions: [String: Int] = [:]
        for outcome in results(of: target) {
            let result = outcome.result
            if let position = positions[outcome.caseID] {
                tallies[position].tally.add(passed: result.passed, score: result.score)
            } else {
                positions[outcome.caseID] = tallies.count
                let tally = CaseTally(caseID: outcome.caseID, passed: result.passed, score: result.score)
                tallies.append((tally, outcome.cluster))
            }
        }
        return tallies
    }

    /// The cases both targets have results for, tallied over their repeats.
    func pairedByCase(_ a: String, _ b: String) -> [PairedComparison.RepeatedCase] {
        var other: [String: CaseTally] = [:]
        for item in tallies(of: b) { other[item.tally.caseID] = item.tally }
        return tallies(of: a).compactMap { item in
            other[item.tally.caseID].map { item.tally.paired(with: $0, cluster: item.cluster) }
        }
    }
}

extension CaseTally {
    /// This case's tally as side a against `b`'s.
    func paired(with b: CaseTally, cluster: String?) -> PairedComparison.RepeatedCase {
        PairedComparison.RepeatedCase(
            passedA: passed, runsA: results, passedB: b.passed, runsB: b.results, scoreA: meanScore,
            scoreB: b.meanScore,
            cluster: cluster)
    }
}
