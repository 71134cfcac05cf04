import AssayCore

@testable import Scoring

/// The cases the statistics are checked on against the oracle: tables with the edges (0 of n,
/// n of n, n = 1, large n) and seeded random paired outcomes.
enum StatisticsCases {
    static let normalQuantiles: [Double] = [
        1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02, 0.02425, 0.025, 0.05, 0.1, 0.25, 0.4, 0.49, 0.5,
        0.51, 0.6, 0.75, 0.9, 0.95, 0.975, 0.98, 0.99, 0.999, 1 - 1e-10, 1 - 0x1p-53,
    ]

    static let normalCDFs: [Double] = [
        -38, -30, -10, -5, -3, -1.959963984540054, -1, -0.5, -1e-10, 0, 0.1, 1, 1.959963984540054, 3, 5, 8.2, 10, 40,
    ]

    struct Binomial {
        var k: Int
        var n: Int
        var p: Double
    }

    static let binomials: [Binomial] =
        (0...10).map { Binomial(k: $0, n: 10, p: 0.5) } + [
            Binomial(k: 0, n: 1, p: 0.5), Binomial(k: 1, n: 1, p: 0.5), Binomial(k: 0, n: 1, p: 0.01),
            Binomial(k: 3, n: 20, p: 0.0), Binomial(k: 0, n: 20, p: 0.0), Binomial(k: 20, n: 20, p: 1.0),
            Binomial(k: 19, n: 20, p: 1.0), Binomial(k: 0, n: 2000, p: 0.5), Binomial(k: 1, n: 2000, p: 0.5),
            Binomial(k: 1999, n: 2000, p: 0.5), Binomial(k: 2000, n: 2000, p: 0.5), Binomial(k: 100, n: 1000, p: 0.5),
            Binomial(k: 990, n: 1000, p: 0.999), Binomial(k: 1000, n: 1000, p: 0.999),
            Binomial(k: 50, n: 100_000, p: 0.001), Binomial(k: 100, n: 100_000, p: 0.001),
            Binomial(k: 150, n: 100_000, p: 0.001), Binomial(k: 295_000, n: 1_000_000, p: 0.3),
            Binomial(k: 299_000, n: 1_000_000, p: 0.3), Binomial(k: 300_000, n: 1_000_000, p: 0.3),
            Binomial(k: 301_500, n: 1_000_000, p: 0.3), Binomial(k: 4_998_000, n: 10_000_000, p: 0.5),
            Binomial(k: 5_000_000, n: 10_000_000, p: 0.5), Binomial(k: 5_001_000, n: 10_000_000, p: 0.5),
            Binomial(k: 17, n: 37, p: 0.5), Binomial(k: 59_000, n: 119_000, p: 0.5),
        ]

    struct Proportion {
        var successes: Int
        var trials: Int
        var level = ConfidenceLevel.standard
    }

    static let proportions: [Proportion] =
        [
            (0, 1), (1, 1), (0, 5), (5, 5), (0, 20), (20, 20), (1, 20), (19, 20), (10, 20), (3, 7),
            (87, 100), (50, 100), (0, 100), (100, 100), (999, 1000), (1, 1000), (4321, 10000), (0, 100_000),
            (100_000, 100_000),
            (123_456, 1_000_000), (999_999, 1_000_000),
        ].map { Proportion(successes: $0, trials: $1) } + [
            Proportion(successes: 87, trials: 100, level: 0.9), Proportion(successes: 87, trials: 100, level: 0.99),
            Proportion(successes: 1, trials: 1, level: 0.999), Proportion(successes: 5, trials: 10, level: 0.5),
            Proportion(successes: 0, trials: 3, level: 0.8),
        ]

    struct Mean {
        var label: String
        var values: [Double]
        var minus: [Double]? = nil
        var clusters: [String]? = nil
        var level = ConfidenceLevel.standard

        /// What the interval is over: `values`, or the paired differences `values - minus`.
        func interval() throws -> MeanInterval {
            if let minus { return try MeanInterval.pairedDifference(values, minus, clusters: clusters, level: level) }
            return try MeanInterval.normal(values, clusters: clusters, level: level)
        }
    }

    /// Scores in [0, 1] from a seeded generator; `spread` scatters clusters around shared means
    /// so that clustering matters.
    static func scores(_ count: Int, clusterSize: Int, seed: UInt64, spread: Double = 0.3) -> ([Double], [String]) {
        var random = SplitMix64(seed: seed)
        var values: [Double] = []
        var clusters: [String] = []
        var center = 0.5
        for i in 0..<count {
            if i % clusterSize == 0 { center = 0.5 + spread * (random.unit() - 0.5) * 2 }
            values.append(min(1, max(0, center + 0.2 * (random.unit() - 0.5))))
            clusters.append("c\(i / clusterSize)")
        }
        return (values, clusters)
    }

    static let means: [Mean] = {
        let passed = Array(repeating: 1.0, count: 87) + Array(repeating: 0.0, count: 13)
        let (passages, passageIDs) = scores(20, clusterSize: 4, seed: 1)
        let (repeats, caseIDs) = scores(150, clusterSize: 5, seed: 2)
        let (large, largeIDs) = scores(10_000, clusterSize: 50, seed: 3)
        let (other, _) = scores(150, clusterSize: 5, seed: 4)
        let unevenSizes = [7, 2, 1, 3, 4, 1, 2, 3]
        let uneven = unevenSizes.enumerated().flatMap { cluster, size in Array(repeating: "u\(cluster)", count: size) }
        let (unevenValues, _) = scores(23, clusterSize: 3, seed: 5)
        return [
            Mean(label: "two values", values: [0, 1]),
            Mean(label: "87 of 100 passed", values: passed),
            Mean(label: "87 of 100 passed at 90%", values: passed, level: 0.9),
            Mean(label: "87 of 100 passed at 99%", values: passed, level: 0.99),
            Mean(label: "continuous scores", values: passages),
            Mean(label: "all equal", values: Array(repeating: 0.75, count: 12)),
            Mean(label: "passages of 4 questions", values: passages, clusters: passageIDs),
            Mean(label: "every case its own cluster", values: passages, clusters: passages.indices.map { "own\($0)" }),
            Mean(label: "uneven clusters", values: unevenValues, clusters: uneven),
            Mean(label: "5 repeats of 30 cases", values: repeats, clusters: caseIDs),
            Mean(label: "two clusters", values: [0.1, 0.4, 0.9, 0.8, 1.0], clusters: ["x", "x", "y", "y", "y"]),
            Mean(label: "10000 cases in 200 clusters", values: large, clusters: largeIDs),
            Mean(label: "10000 cases unclustered", values: large),
            Mean(label: "paired repeats", values: repeats, minus: other, clusters: caseIDs),
            Mean(label: "paired repeats unclustered", values: repeats, minus: other, level: 0.99),
        ]
    }()

    /// A 2×2 table of paired outcomes at a level, labelled for messages.
    struct Table {
        var outcomes: PairedOutcomes
        var level = ConfidenceLevel.standard

        init(
            _ bothPassed: Int, _ onlyA: Int, _ onlyB: Int, _ neitherPassed: Int,
            level: Double = ConfidenceLevel.standard
        ) {
            outcomes = PairedOutcomes(bothPassed: bothPassed, onlyA: onlyA, onlyB: onlyB, neitherPassed: neitherPassed)
            self.level = level
        }

        var label: String {
            "[\(outcomes.bothPassed), \(outcomes.onlyA), \(outcomes.onlyB), \(outcomes.neitherPassed)] at \(level)"
        }
    }

    static let tables: [Table] = [
        Table(0, 0, 0, 1), Table(1, 0, 0, 0), Table(0, 1, 0, 0), Table(0, 0, 1, 0), Table(1, 0, 0, 1),
        Table(50, 0, 0, 50), Table(100, 0, 0, 0), Table(0, 0, 0, 100), Table(0, 10, 0, 0), Table(0, 0, 10, 0),
        Table(59, 6, 16, 80), Table(1, 1, 7, 12), Table(20, 15, 6, 5), Table(40, 12, 2, 46), Table(10, 5, 5, 10),
        Table(3, 9, 1, 0), Table(0, 7, 8, 0), Table(85, 2, 0, 13), Table(4000, 120, 80, 5800),
        Table(0, 60_000, 59_000, 0), Table(498_000, 1234, 1100, 499_666), Table(59, 6, 16, 80, level: 0.9),
        Table(59, 6, 16, 80, level: 0.99), Table(40, 12, 2, 46, level: 0.8),
    ]

    /// Random paired outcomes and scores (seeded, so every run checks the same ones).
    static let randomComparisons: [[PairedComparison.Case]] = {
        var random = SplitMix64(seed: 20_241_101)
        return (0..<300).map { _ in
            let count = random.unit() < 0.2 ? 1 + Int(random.unit() * 6) : 2 + Int(random.unit() * 400)
            let rateA = random.unit()
            let rateB = random.unit()
            let agreement = random.unit()
            let clusterSize = random.unit() < 0.5 ? 0 : 1 + Int(random.unit() * 5)
            return (0..<count).map { i in
                let passedA = random.unit() < rateA
                let passedB = random.unit() < agreement ? passedA : random.unit() < rateB
                let scoreA = passedA ? 0.5 + random.unit() / 2 : random.unit() / 2
                let scoreB = passedB ? 0.5 + random.unit() / 2 : random.unit() / 2
                let cluster = clusterSize == 0 ? nil : "c\(i / clusterSize)"
                return PairedComparison.Case(
                    passedA: passedA, passedB: passedB, scoreA: scoreA, scoreB: scoreB, cluster: cluster)
            }
        }
    }()

    static func tableJSON(_ outcomes: PairedOutcomes, level: Double) -> JSONValue {
        [
            "both": .number(Double(outcomes.bothPassed)), "onlyA": .number(Double(outcomes.onlyA)),
            "onlyB": .number(Double(outcomes.onlyB)), "neither": .number(Double(outcomes.neitherPassed)),
            "level": .number(level),
        ]
    }

    static func meanJSON(_ mean: Mean) -> JSONValue {
        var object = JSONObject([("values", .array(mean.values.map { .number($0) })), ("level", .number(mean.level))])
        if let minus = mean.minus { object["minus"] = .array(minus.map { .number($0) }) }
        if let clusters = mean.clusters { object["clusters"] = .array(clusters.map { .string($0) }) }
        return .object(object)
    }

    /// The random comparisons' score differences, as means (the cases that have a cluster each
    /// keep it; a case without one is its own).
    static let randomScoreDifferences: [Mean] = randomComparisons.map { cases in
        let clustered = cases.contains { $0.cluster != nil }
        return Mean(
            label: "random", values: cases.map(\.scoreA), minus: cases.map(\.scoreB),
            clusters: clustered ? cases.enumerated().map { $1.cluster ?? "alone\($0)" } : nil)
    }

    static let randomTables: [PairedOutcomes] = randomComparisons.map { cases in
        PairedOutcomes(
            bothPassed: cases.count { $0.passedA && $0.passedB }, onlyA: cases.count { $0.passedA && !$0.passedB },
            onlyB: cases.count { !$0.passedA && $0.passedB }, neitherPassed: cases.count { !$0.passedA && !$0.passedB })
    }

    /// Everything above, as the oracle reads it. Paired lists: the tables, then the random ones.
    /// Means: the table, then the random score differences. Wilson: the table, then each random
    /// comparison's two pass rates. Paired cluster: the repeated table, then the random ones.
    static let request: JSONValue = {
        let randomRates = randomTables.flatMap { table in
            [
                Proportion(successes: table.passedA, trials: table.cases),
                Proportion(successes: table.passedB, trials: table.cases),
            ]
        }
        return .object(
            JSONObject([
                ("normalQuantile", .array(normalQuantiles.map { .number($0) })),
                ("normalCDF", .array(normalCDFs.map { .number($0) })),
                (
                    "binomial",
                    .array(
                        binomials.map { ["k": .number(Double($0.k)), "n": .number(Double($0.n)), "p": .number($0.p)] })
                ),
                (
                    "wilson",
                    .array(
                        (proportions + randomRates).map {
                            [
                                "successes": .number(Double($0.successes)), "trials": .number(Double($0.trials)),
                                "level": .number($0.level),
                            ]
                        })
                ),
                ("means", .array((means + randomScoreDifferences).map(meanJSON))),
                (
                    "paired",
                    .array(
                        tables.map { tableJSON($0.outcomes, level: $0.level) }
                            + randomTables.map { tableJSON($0, level: ConfidenceLevel.standard) })
                ),
                ("pairedCluster", .array((repeatedTable + randomRepeatedComparisons).map(\.json))),
            ]))
    }()
}
