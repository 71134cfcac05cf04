import AssayCore

@testable import Scoring

/// Comparisons of runs with repeats (``PairedClusterTest``): every case's repeats on both sides,
/// with the edges (all equal, one case, every case discordant the same way, one cluster, zero
/// residual sums) and seeded random runs with correlated repeats and dataset clusters.
extension StatisticsCases {
    struct Repeated {
        var label: String
        /// Per case, each repeat's outcome for a and for b (the sides may differ in repeats).
        var a: [[Bool]]
        var b: [[Bool]]
        var clusters: [String?]
        var level = ConfidenceLevel.standard

        init(_ label: String, a: [[Bool]], b: [[Bool]], clusters: [String?]? = nil, level: Double = 0.95) {
            self.label = label
            self.a = a
            self.b = b
            self.clusters = clusters ?? a.map { _ in nil }
            self.level = level
        }

        var cases: [PairedComparison.RepeatedCase] {
            zip(zip(a, b), clusters).map { sides, cluster in
                let (a, b) = sides
                let fractionA = Double(a.count { $0 }) / Double(a.count)
                let fractionB = Double(b.count { $0 }) / Double(b.count)
                return PairedComparison.RepeatedCase(
                    passedA: a.count { $0 }, runsA: a.count, passedB: b.count { $0 }, runsB: b.count,
                    scoreA: fractionA, scoreB: fractionB, cluster: cluster)
            }
        }

        var json: JSONValue {
            .object(
                JSONObject([
                    ("level", .number(level)),
                    (
                        "cases",
                        .array(
                            a.indices.map { index in
                                .object(
                                    JSONObject([
                                        ("a", .array(a[index].map(JSONValue.bool))),
                                        ("b", .array(b[index].map(JSONValue.bool))),
                                        ("cluster", clusters[index].map(JSONValue.string) ?? .null),
                                    ]))
                            })
                    ),
                ]))
        }
    }

    /// `count` cases of `repeats` repeats each side, each passing with the given pattern.
    static func uniform(_ count: Int, a: [Bool], b: [Bool]) -> (a: [[Bool]], b: [[Bool]]) {
        (Array(repeating: a, count: count), Array(repeating: b, count: count))
    }

    static let repeatedTable: [Repeated] = {
        let (t, f) = (true, false)
        let equal = uniform(5, a: [t, f, t], b: [t, f, t])
        let discordant = uniform(8, a: [t, t, t], b: [f, f, f])
        let reversed = uniform(6, a: [f, f], b: [t, t])
        let varied = (0..<10).map { _ in [t, t, t] }
        let variedB = (0..<10).map { index in (0..<3).map { $0 < index % 3 } }
        let fivesA = (0..<12).map { index in (0..<5).map { ($0 + index) % 4 != 0 } }
        let twosB = (0..<12).map { index in [index % 3 == 0, index % 2 == 0] }
        let clustered = (0..<12).map { "passage\($0 / 3)" }
        return [
            Repeated("all equal", a: equal.a, b: equal.b),
            Repeated("one case", a: [[t, t, t]], b: [[f, f, t]]),
            Repeated("8 cases all discordant for a", a: discordant.a, b: discordant.b),
            Repeated("6 cases all discordant for b", a: reversed.a, b: reversed.b),
            Repeated("10 cases all discordant, fractions vary", a: varied, b: variedB),
            Repeated("5 repeats against 2 (a baseline with other repeats)", a: fivesA, b: twosB),
            Repeated("5 repeats against 2 in 4 passages", a: fivesA, b: twosB, clusters: clustered),
            Repeated("one passage holds every case", a: fivesA, b: twosB, clusters: fivesA.map { _ in "p" }),
            Repeated(
                "zero residual sums in both clusters", a: [[t], [f], [t, f], [f, t]], b: [[f], [f], [f], [f]],
                clusters: ["x", "x", "y", "y"]),
            Repeated("5 repeats against 2 at 90%", a: fivesA, b: twosB, level: 0.9),
            Repeated("5 repeats against 2 at 99%", a: fivesA, b: twosB, level: 0.99),
            Repeated("two cases", a: [[t, t], [f, t]], b: [[f, t], [t, t]]),
            randomRepeated(label: "2000 cases of 5 repeats", seed: 7, cases: 2000, repeats: (5, 5), clusterSize: 0),
            randomRepeated(
                label: "600 cases of 3 in passages of 6", seed: 8, cases: 600, repeats: (3, 3), clusterSize: 6),
        ]
    }()

    /// Random runs: each case has a difficulty both targets share (so repeats and sides are
    /// correlated), a per-target shift, and `repeats` outcomes per side.
    static func randomRepeated(label: String, seed: UInt64, cases: Int, repeats: (Int, Int), clusterSize: Int)
        -> Repeated
    {
        var random = SplitMix64(seed: seed)
        let shift = random.unit() * 0.4 - 0.2
        var a: [[Bool]] = []
        var b: [[Bool]] = []
        for _ in 0..<cases {
            let easy = random.unit()
            a.append((0..<repeats.0).map { _ in random.unit() < easy })
            b.append((0..<repeats.1).map { _ in random.unit() < min(1, max(0, easy + shift)) })
        }
        let clusters = (0..<cases).map { clusterSize == 0 ? nil : "c\($0 / clusterSize)" }
        return Repeated(label, a: a, b: b, clusters: clusters)
    }

    static let randomRepeatedComparisons: [Repeated] = {
        var random = SplitMix64(seed: 20_261_206)
        return (0..<200).map { index in
            let cases = random.unit() < 0.2 ? 1 + Int(random.unit() * 4) : 2 + Int(random.unit() * 300)
            let repeats = (1 + Int(random.unit() * 5), 1 + Int(random.unit() * 5))
            let clusterSize = random.unit() < 0.5 ? 0 : 1 + Int(random.unit() * 5)
            return randomRepeated(
                label: "random #\(index)", seed: random.next(), cases: cases, repeats: repeats, clusterSize: clusterSize
            )
        }
    }()
}
