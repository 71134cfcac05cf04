/// The counters a case result adds to its run's aggregates. The Redis queue applies them with
/// `HINCRBYFLOAT` in the recording script; the in-process queue and a recount add them up here,
/// so both paths count the same way.
public struct RunTally: Sendable, Hashable {
    public var counters: [String: Double] = [:]
    /// Latencies in milliseconds per target.
    public var latencies: [String: [Double]] = [:]
    /// Ids of cases each target failed.
    public var failing: [String: Set<String>] = [:]

    public init() {}

    /// A tally of `results` (a recount from the stored results) of a run whose dataset maps case
    /// ids to `clusters`, with `repeats`: per-cluster tallies (``CaseTally/unit(caseID:cluster:everyCase:)``)
    /// when the dataset names clusters or the run has repeats (or some result is a repeat after the first).
    public init(_ results: some Collection<CaseResult>, clusters: [String: String] = [:], repeats: Int = 1) {
        let everyCase = repeats > 1 || !clusters.isEmpty || results.contains { $0.repeat > 1 }
        for result in results {
            let cluster = clusters[result.caseID]
            add(result, unit: CaseTally.unit(caseID: result.caseID, cluster: cluster, everyCase: everyCase))
        }
    }

    /// Adds `result`, and to the tally of `unit` (its dataset cluster or case) when given.
    public mutating func add(_ result: CaseResult, unit: String? = nil) {
        for (field, amount) in Self.increments(for: result, unit: unit) { counters[field, default: 0] += amount }
        for target in result.targets {
            latencies[target.target, default: []].append(target.latencyMs)
            if !target.passed { failing[target.target, default: []].insert(result.recordKey) }
        }
    }

    /// Counter name and amount, for `result`; with a `unit`, the ``CaseTally`` counters of its
    /// dataset cluster or case too, which only a run with repeats or clusters pays for.
    public static func increments(for result: CaseResult, unit: String? = nil) -> [(String, Double)] {
        var out: [(String, Double)] = [("cases", 1), ("passed", result.passed ? 1 : 0)]
        // What the budget counts: every target's tokens, and the cost of those with a price.
        out.append(("spent:tokens", Double(result.targets.reduce(0) { $0 + $1.inputTokens + $1.outputTokens })))
        out.append(("spent:cost", result.targets.compactMap(\.cost).reduce(0, +)))
        for target in result.targets {
            let prefix = "t:\(target.target):"
            out.append((prefix + (target.passed ? "passed" : "failed"), 1))
            if target.error != nil { out.append((prefix + "errors", 1)) }
            out.append((prefix + "inputTokens", Double(target.inputTokens)))
            out.append((prefix + "outputTokens", Double(target.outputTokens)))
            out.append((prefix + "score", target.score))
            out.append((prefix + "score2", target.score * target.score))
            if let unit { out += CaseTally.increments(target: target, unit: unit) }
            for (index, criterion) in target.criteria.enumerated() {
                out.append((prefix + "c\(index):n", 1))
                out.append((prefix + "c\(index):passed", criterion.passed ? 1 : 0))
                out.append((prefix + "c\(index):score", criterion.score))
            }
        }
        return out
    }

    /// The aggregates of this tally.
    public func aggregates(info: RunInfo, seeded: Bool, cancelled: Bool, budgetExceeded: Bool = false) -> RunAggregates
    {
        var samples: [String: RunAggregates.TargetSamples] = [:]
        for name in info.targets {
            let sorted = (latencies[name] ?? []).sorted()
            func at(_ quantile: Double) -> Double? {
                RunAggregates.nearestRank(quantile, count: sorted.count).map { sorted[$0] }
            }
            samples[name] = RunAggregates.TargetSamples(
                latencyP50Ms: at(0.5), latencyP95Ms: at(0.95),
                failingCaseIDs: Array((failing[name] ?? []).sorted().prefix(RunAggregates.maxFailingCaseIDs)))
        }
        return RunAggregates(
            info: info, counters: counters, samples: samples, seeded: seeded, cancelled: cancelled,
            budgetExceeded: budgetExceeded)
    }
}
