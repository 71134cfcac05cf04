import Testing

@testable import Scoring

@Suite("Paired comparisons")
struct PairedComparisonTests {
    /// Published worked examples of Newcombe's method 10: Fagerland, Lydersen and Laake,
    /// "Statistical Analysis of Contingency Tables" (2017), chapter 8 (Cavo et al.'s table, and
    /// the smallest concordant table), printed to 4 decimals; and the PSI CAMIS project's paired
    /// proportions page (r = 20, s = 15, t = 6, u = 5), printed to 6.
    @Test(
        "Newcombe's interval reproduces published worked examples",
        arguments: [
            (59, 6, 16, 80, -0.1186, -0.0046, 0.00005), (1, 0, 0, 1, -0.5734, 0.5734, 0.00005),
            (20, 15, 6, 5, 0.002602, 0.369943, 0.0000005),
        ])
    func published(both: Int, onlyA: Int, onlyB: Int, neither: Int, low: Double, high: Double, tolerance: Double)
        throws
    {
        let table = PairedOutcomes(bothPassed: both, onlyA: onlyA, onlyB: onlyB, neitherPassed: neither)
        let interval = try DifferenceInterval.newcombe(table)
        #expect(abs(interval.low - low) <= tolerance && abs(interval.high - high) <= tolerance, "\(interval)")
    }

    @Test("McNemar's exact test reproduces Fagerland et al.'s P = 0.052479 for Cavo et al.'s table")
    func publishedMcNemar() {
        #expect(abs(McNemarTest(onlyA: 6, onlyB: 16).pValue - 0.052479) <= 0.0000005)
    }

    @Test("small tables give the exact binomial fractions")
    func exactFractions() {
        // 10 discordant cases all going a's way: 2 · 2^-10 two-sided, 2^-10 that b is worse.
        let oneWay = McNemarTest(onlyA: 10, onlyB: 0)
        #expect(oneWay.pValue == 2.0 / 1024 && oneWay.pValueBWorse == 1.0 / 1024 && oneWay.pValueBBetter == 1)
        // Bentur et al.: 1 against 7 discordant, 2 · 9/256.
        #expect(abs(McNemarTest(onlyA: 1, onlyB: 7).pValue - 18.0 / 256) <= 1e-15)
        #expect(McNemarTest(onlyA: 5, onlyB: 5).pValue == 1)
    }

    @Test("with no discordant case the test says nothing, and the interval still has width")
    func noDiscordantCases() throws {
        let cases = (0..<40).map { i in
            PairedComparison.Case(passedA: i % 4 != 0, passedB: i % 4 != 0, scoreA: 0.5, scoreB: 0.5)
        }
        let comparison = try PairedComparison.compare(cases)
        #expect(comparison.pValue == 1 && comparison.pValueBWorse == 1 && comparison.difference == 0)
        #expect(comparison.interval.low < -0.05 && comparison.interval.high > 0.05)
        #expect(comparison.interval.low == -comparison.interval.high)
    }

    @Test("the table counts each case once in its cell, and the difference is a's rate minus b's")
    func counting() throws {
        let table = try PairedOutcomes(
            a: [true, true, false, false, true, true], b: [true, false, true, false, false, true])
        #expect(table == PairedOutcomes(bothPassed: 2, onlyA: 2, onlyB: 1, neitherPassed: 1))
        #expect(table.passedA == 4 && table.passedB == 3 && table.cases == 6)
        #expect(abs(table.difference - (4.0 / 6 - 3.0 / 6)) <= 1e-16)
        #expect(throws: StatisticsError.lengthMismatch("outcomes of b", expected: 2, actual: 1)) {
            try PairedOutcomes(a: [true, false], b: [true])
        }
    }

    @Test("no cases are refused; one case gives a comparison without a score interval")
    func tooFewCases() throws {
        #expect(throws: StatisticsError.noObservations) { try PairedComparison.compare([]) }
        let one = try PairedComparison.compare([
            PairedComparison.Case(passedA: true, passedB: false, scoreA: 1, scoreB: 0)
        ])
        #expect(one.difference == 1 && one.pValue == 1 && one.cases == 1)
        #expect(one.scoreDifference == nil && one.scoreDifferenceUnavailable == .tooFewObservations(1))
        #expect(throws: StatisticsError.invalidConfidenceLevel(2)) { try PairedComparison.compare([], level: 2) }
    }

    @Test("the score difference is cluster-robust when cases name clusters")
    func clusteredScores() throws {
        let cases: [PairedComparison.Case] = (0..<30).map { (i: Int) -> PairedComparison.Case in
            let scoreA = Double(i % 7) / 7
            let scoreB = Double(i / 10) / 3
            return PairedComparison.Case(
                passedA: i % 3 != 0, passedB: i % 5 != 0, scoreA: scoreA, scoreB: scoreB, cluster: "doc\(i / 10)")
        }
        let clustered = try PairedComparison.compare(cases)
        let difference = try #require(clustered.scoreDifference)
        #expect(difference.method == .clusterRobust && difference.clusters == 3)
        let unclustered = try PairedComparison.compare(
            cases.map {
                PairedComparison.Case(passedA: $0.passedA, passedB: $0.passedB, scoreA: $0.scoreA, scoreB: $0.scoreB)
            })
        #expect(unclustered.scoreDifference?.method == .normal)
        #expect(unclustered.scoreDifference?.estimate == difference.estimate)
        #expect(unclustered.pValue == clustered.pValue && unclustered.interval == clustered.interval)
    }

    @Test("it serializes as one of the report's comparisons")
    func json() throws {
        let cases = (0..<20).map { i in
            PairedComparison.Case(passedA: i < 15, passedB: i < 9, scoreA: i < 15 ? 1 : 0, scoreB: i < 9 ? 1 : 0)
        }
        let json = try PairedComparison.compare(cases).json(a: "large", b: "small")
        #expect(json["a"] == "large" && json["b"] == "small" && json["test"] == "mcnemar-exact")
        #expect(json["cases"] == 20 && json["onlyA"] == 6 && json["onlyB"] == 0)
        #expect(abs((json["difference"]?.doubleValue ?? 0) - 0.3) <= 1e-15)
        #expect(json["interval"]?["method"] == "newcombe" && json["interval"]?["low"]?.doubleValue != nil)
        #expect(abs((json["pValue"]?.doubleValue ?? 0) - 2.0 / 64) <= 1e-16)
        #expect(json["scoreDifferenceInterval"]?["method"] == "normal")
    }

    /// `count` cases whose repeats passed `a` of `runs` for a and `b` of `runs` for b.
    static func repeated(_ count: Int, a: Int, b: Int, runs: Int = 3) -> [PairedComparison.RepeatedCase] {
        (0..<count).map { _ in
            PairedComparison.RepeatedCase(
                passedA: a, runsA: runs, passedB: b, runsB: runs, scoreA: Double(a), scoreB: Double(b))
        }
    }

    @Test(
        "with repeats the edges are decided, not NaN: one case says nothing, equal fractions give p = 1, all discordant one way the sign test",
        arguments: [
            // cases, a's and b's passed repeats of 3, two-sided p, one-sided (b worse), interval
            (1, 3, 0, 1.0, 1.0, -1.0, 1.0),
            (5, 2, 2, 1.0, 1.0, 0.0, 0.0),
            (8, 3, 0, 2.0 / 256, 1.0 / 256, 1.0, 1.0),
            (6, 0, 3, 2.0 / 64, 1.0, -1.0, -1.0),
            (4, 2, 1, 2.0 / 16, 1.0 / 16, 1.0 / 3, 1.0 / 3),
        ] as [(Int, Int, Int, Double, Double, Double, Double)])
    func repeatedEdges(cases: Int, a: Int, b: Int, p: Double, worse: Double, low: Double, high: Double) throws {
        let test = try PairedClusterTest(
            differences: Self.repeated(cases, a: a, b: b).map { $0.fractionA - $0.fractionB },
            clusters: Array(0..<cases), level: 0.95)
        #expect(abs(test.estimate - Double(a - b) / 3) < 1e-15)
        #expect(abs(test.pValue - p) < 1e-15 && abs(test.pValueBWorse - worse) < 1e-15)
        #expect(abs(test.interval.low - low) < 1e-15 && abs(test.interval.high - high) < 1e-15)
        #expect(test.interval.method == .pairedCluster)
        // Repeats that all agree are one outcome per case: McNemar's test over the cases.
        let comparison = try PairedComparison.compare(repeated: Self.repeated(cases, a: a, b: b))
        #expect(comparison.test == (a % 3 == 0 && b % 3 == 0 ? .mcnemarExact : .pairedCluster))
        #expect(comparison.cases == cases)
    }

    @Test("with repeats no cases are refused, and the JSON names the paired-cluster test")
    func repeatedJSON() throws {
        #expect(throws: StatisticsError.noObservations) { try PairedComparison.compare(repeated: []) }
        let cases = Self.repeated(3, a: 3, b: 1) + Self.repeated(3, a: 1, b: 2)
        let json = try PairedComparison.compare(repeated: cases).json(a: "x", b: "y")
        #expect(json["test"] == "paired-cluster" && json["cases"] == 6 && json["onlyA"] == 3 && json["onlyB"] == 3)
        #expect(json["interval"]?["method"] == "paired-cluster")
    }
}
