/// The Redis keys of one run. All share the hash tag `{assay:run:<id>}`, so a run lives on one
/// slot of a Redis Cluster and its scripts may touch every key.
public struct RunKeys: Sendable, Hashable {
    public let prefix: String

    public init(_ id: RunID) { prefix = "{assay:run:\(id.rawValue)}" }

    /// The stream of cases, one entry per case, read by the consumer group.
    public var cases: String { prefix + ":cases" }
    /// Hash: `suite`, `total`, `seeded`, `repeats`, `targets`, `criteria`, `passThreshold`, `gateOn`,
    /// `confidenceLevel`, `cancelled` (and the budget's `maxTokens`, `maxCost`, `budgetExceeded`).
    public var meta: String { prefix + ":meta" }
    /// Hash: case id → the stream entry whose result was recorded (the exactly-once guard).
    public var recorded: String { prefix + ":recorded" }
    /// List of case results (JSON) in recording order.
    public var results: String { prefix + ":results" }
    /// Hash of ``RunTally`` counters.
    public var counters: String { prefix + ":counters" }
    /// Sorted set per target: case id scored by latency in milliseconds.
    public func latency(_ target: String) -> String { prefix + ":latency:" + target }
    /// Sorted set per target (all scores 0, so ordered by id): ids of the cases it failed.
    public func failing(_ target: String) -> String { prefix + ":failing:" + target }

    /// String set with `NX PX` by the evaluator that writes the suite's status next, so however many
    /// evaluators run, the resource gets at most one progress write per interval.
    public var statusWriter: String { prefix + ":status-writer" }

    /// Every key that lives as long as the run (the status-writer lock lives seconds).
    public func all(targets: [String]) -> [String] {
        [cases, meta, recorded, results, counters] + targets.flatMap { [latency($0), failing($0)] }
    }
}
