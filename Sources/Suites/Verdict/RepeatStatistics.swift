/// What repeating every case says about one target (`spec.repeats` > 1): pass^N, the fraction
/// of cases that passed every one of their N repeats (the τ-bench reliability measure), the mean
/// per-case pass fraction (each case's passed repeats over its repeats, averaged over cases: the
/// expected pass rate of one attempt), and the flaky cases, which passed some repeats, not all.
package struct RepeatStatistics: Sendable, Hashable {
    /// Flaky case ids a report lists; the count is always complete. (Our choice: as many as failing ids.)
    package static let maxFlakyCaseIDs = RunAggregates.maxFailingCaseIDs

    package var repeats: Int
    /// Cases with at least one recorded repeat.
    package var cases: Int
    /// Cases that passed all `repeats` repeats (a case with fewer recorded repeats does not).
    package var passedAll: Int
    /// The mean over cases of each case's fraction of passed repeats.
    package var meanPassFraction: Double
    package var flakyCount: Int
    /// The first flaky case ids, sorted.
    package var flakyCaseIDs: [String]

    /// pass^N: `passedAll` over `cases`.
    package var passAll: Double { cases == 0 ? 0 : Double(passedAll) / Double(cases) }

    /// The statistics of `outcomes` (one target's results, any repeat, any order) for a run of
    /// `repeats` repeats.
    package init(_ outcomes: [TargetOutcomes.Outcome], repeats: Int) {
        var byCase: [String: (passed: Int, count: Int)] = [:]
        for outcome in outcomes {
            byCase[outcome.caseID, default: (0, 0)].count += 1
            if outcome.result.passed { byCase[outcome.caseID, default: (0, 0)].passed += 1 }
        }
        self.repeats = repeats
        cases = byCase.count
        passedAll = byCase.values.filter { $0.passed == $0.count && $0.count >= repeats }.count
        meanPassFraction =
            byCase.isEmpty
            ? 0 : byCase.values.map { Double($0.passed) / Double($0.count) }.reduce(0, +) / Double(byCase.count)
        let flaky = byCase.filter { $0.value.passed > 0 && $0.value.passed < $0.value.count }.keys.sorted()
        flakyCount = flaky.count
        flakyCaseIDs = Array(flaky.prefix(Self.maxFlakyCaseIDs))
    }
}
