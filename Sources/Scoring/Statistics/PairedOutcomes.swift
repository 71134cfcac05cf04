/// Two targets' pass/fail outcomes on the same cases, counted as a 2×2 table.
///
///                 b passed      b failed
///     a passed    bothPassed    onlyA
///     a failed    onlyB         neitherPassed
package struct PairedOutcomes: Sendable, Equatable {
    package var bothPassed: Int
    package var onlyA: Int
    package var onlyB: Int
    package var neitherPassed: Int

    package init(bothPassed: Int, onlyA: Int, onlyB: Int, neitherPassed: Int) {
        precondition(min(bothPassed, onlyA, onlyB, neitherPassed) >= 0, "counts must not be negative")
        self.bothPassed = bothPassed
        self.onlyA = onlyA
        self.onlyB = onlyB
        self.neitherPassed = neitherPassed
    }

    /// Counts the table from each case's outcome for a and for b (same order, same cases).
    package init(a: [Bool], b: [Bool]) throws(StatisticsError) {
        guard b.count == a.count else { throw .lengthMismatch("outcomes of b", expected: a.count, actual: b.count) }
        var table = PairedOutcomes(bothPassed: 0, onlyA: 0, onlyB: 0, neitherPassed: 0)
        for (passedA, passedB) in zip(a, b) {
            switch (passedA, passedB) {
            case (true, true): table.bothPassed += 1
            case (true, false): table.onlyA += 1
            case (false, true): table.onlyB += 1
            case (false, false): table.neitherPassed += 1
            }
        }
        self = table
    }

    package var cases: Int { bothPassed + onlyA + onlyB + neitherPassed }
    package var passedA: Int { bothPassed + onlyA }
    package var passedB: Int { bothPassed + onlyB }

    /// passRate(a) - passRate(b) = (onlyA - onlyB) / cases; 0 when there are no cases.
    package var difference: Double {
        cases == 0 ? 0 : Double(onlyA - onlyB) / Double(cases)
    }
}
