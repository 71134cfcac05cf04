import AssayCore
import AssayRedis
import Synchronization

/// A run's cases on a Redis stream with a consumer group: every evaluator reads new cases with
/// `XREADGROUP`, takes over cases a dead consumer left pending longer than the visibility timeout
/// with `XAUTOCLAIM`, and records each result with one script that also acknowledges the case,
/// so a case is counted exactly once even when two consumers race on it.
public final class RedisWorkQueue: WorkQueue {
    public struct Configuration: Sendable {
        /// The consumer group every evaluator of a run joins.
        public static let group = "evaluators"
        /// A case unacknowledged this long is taken over by another consumer: longer than a
        /// generation with its retries and fallbacks (30 s by default) plus scoring. (Our choice.)
        public static let defaultVisibilityTimeout = Duration.seconds(120)
        /// Cases per seeding script: a few hundred KB per call, so Redis is never blocked long. (Our choice.)
        public static let seedBatch = 500

        public var run: RunID
        /// This evaluator's name in the group (a pod name, or host and pid).
        public var consumer: String
        public var visibilityTimeout: Duration

        public init(run: RunID, consumer: String, visibilityTimeout: Duration = defaultVisibilityTimeout) {
            self.run = run
            self.consumer = consumer
            self.visibilityTimeout = visibilityTimeout
        }
    }

    public let configuration: Configuration
    public let keys: RunKeys
    private let redis: RedisClient
    /// The plan this process prepared, to prepare again if Redis comes back without the run.
    private let plan = Mutex<RunPlan?>(nil)
    /// `XAUTOCLAIM`'s cursor over the pending entries list.
    private let claimCursor = Mutex("0-0")

    public init(redis: RedisClient, configuration: Configuration) {
        self.redis = redis
        self.configuration = configuration
        keys = RunKeys(configuration.run)
    }

    private var group: String { Configuration.group }

    public func prepare(_ plan: RunPlan) async throws {
        self.plan.withLock { $0 = plan }
        let ttl = String(max(1, plan.resultTTL.components.seconds))
        let meta: [String] = [
            "suite", plan.suiteName, "total", String(plan.cases.count), "seeded", "0",
            "targets", JSONWriter.string(.array(plan.targets.map(JSONValue.string))),
            "criteria", JSONWriter.string(.array(plan.criteria.map(JSONValue.string))),
            "passThreshold", String(plan.passThreshold), "cancelled", "0",
        ]
        let created = try await redis.run(
            RunScripts.create, keys: [keys.meta, keys.cases], arguments: [group, ttl] + meta)
        var seeded = Int(created.integer ?? 0)
        while seeded < plan.cases.count {
            let batch = plan.cases[seeded..<min(plan.cases.count, seeded + Configuration.seedBatch)]
            let payload = batch.map { JSONWriter.string($0.json) }
            _ = try await redis.run(
                RunScripts.seed, keys: [keys.meta, keys.cases], arguments: [String(seeded), ttl] + payload)
            seeded = batch.endIndex
        }
    }

    public func claim(max: Int) async throws -> [ClaimedCase] {
        guard max > 0 else { return [] }
        let result: Result<[ClaimedCase], RedisError>
        do {
            result = .success(try await claimOnce(max: max))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let claimed):
            return claimed
        case .failure(let error):
            guard case .server(let message) = error, message.hasPrefix("NOGROUP") else { throw error }
            // Redis lost the run (restarted without persistence, or the run expired): seeding is
            // idempotent, so queue the cases again; results already recorded stay counted once.
            if let plan = plan.withLock({ $0 }) { try await prepare(plan) }
            return []
        }
    }

    private func claimOnce(max: Int) async throws(RedisError) -> [ClaimedCase] {
        var claimed = try await reclaim(max: max)
        if claimed.count < max {
            let reply = try await redis.send([
                "XREADGROUP", "GROUP", group, configuration.consumer, "COUNT", String(max - claimed.count),
                "STREAMS", keys.cases, ">",
            ])
            // [[stream, [[id, [field, value, ...]], ...]]] or nil.
            for stream in reply.array ?? [] {
                claimed += try await entries(stream.array?.last, reclaimed: false)
            }
        }
        return claimed
    }

    private func reclaim(max: Int) async throws(RedisError) -> [ClaimedCase] {
        let cursor = claimCursor.withLock { $0 }
        let idle =
            configuration.visibilityTimeout.components.seconds * 1000
            + configuration.visibilityTimeout.components.attoseconds / 1_000_000_000_000_000
        let reply = try await redis.send([
            "XAUTOCLAIM", keys.cases, group, configuration.consumer, String(idle), cursor, "COUNT", String(max),
        ])
        // [next cursor, [[id, [field, value, ...]], ...], [deleted ids]]
        guard let parts = reply.array, parts.count >= 2 else {
            throw .protocolError("XAUTOCLAIM returned \(reply), expected [cursor, entries, ...]")
        }
        claimCursor.withLock { $0 = parts[0].text ?? "0-0" }
        return try await entries(parts[1], reclaimed: true)
    }

    /// Decodes stream entries; an entry without a readable case is acknowledged and skipped.
    private func entries(_ value: RedisValue?, reclaimed: Bool) async throws(RedisError) -> [ClaimedCase] {
        var out: [ClaimedCase] = []
        for entry in value?.array ?? [] {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].text else { continue }
            let fields = parts[1].array ?? []
            var suiteCase: SuiteCase?
            if fields.count >= 2, fields[0].text == "case", let text = fields[1].text,
                let json = try? JSONParser.parse(text)
            {
                suiteCase = try? SuiteCase.decode(json, at: "")
            }
            guard let suiteCase else {
                _ = try await redis.send(["XACK", keys.cases, group, id])
                continue
            }
            out.append(ClaimedCase(entryID: id, suiteCase: suiteCase, reclaimed: reclaimed))
        }
        return out
    }

    public func record(_ result: CaseResult, for claimed: ClaimedCase) async throws -> RecordOutcome {
        let ttl = String(max(1, (plan.withLock { $0?.resultTTL } ?? RunPlan.defaultResultTTL).components.seconds))
        var scriptKeys = [keys.cases, keys.meta, keys.recorded, keys.results, keys.counters]
        var arguments = [
            group, claimed.entryID, result.caseID, JSONWriter.string(result.json), ttl, String(result.targets.count),
        ]
        for target in result.targets {
            scriptKeys += [keys.latency(target.target), keys.failing(target.target)]
            arguments += [String(target.latencyMs), target.passed ? "0" : "1"]
        }
        for (field, amount) in RunTally.increments(for: result) {
            arguments += [field, String(amount)]
        }
        let reply = try await redis.run(RunScripts.record, keys: scriptKeys, arguments: arguments)
        switch reply.integer {
        case 1: return .recorded
        case 0: return .duplicate
        case -1: return .cancelled
        default: throw RedisError.protocolError("the record script returned \(reply), expected 1, 0 or -1")
        }
    }

    public func aggregates() async throws -> RunAggregates? {
        let meta = try await hash(keys.meta)
        guard let total = meta["total"].flatMap({ Int($0) }) else { return nil }
        let targets = Self.names(meta["targets"])
        let info = RunInfo(
            id: configuration.run, suiteName: meta["suite"] ?? "", total: total, targets: targets,
            criteria: Self.names(meta["criteria"]), passThreshold: meta["passThreshold"].flatMap { Double($0) } ?? 1)
        let counters = try await hash(keys.counters).compactMapValues { Double($0) }
        var samples: [String: RunAggregates.TargetSamples] = [:]
        for target in targets {
            let count = Int(try await redis.send(["ZCARD", keys.latency(target)]).integer ?? 0)
            func at(_ quantile: Double) async throws -> Double? {
                guard let rank = RunAggregates.nearestRank(quantile, count: count) else { return nil }
                let reply = try await redis.send([
                    "ZRANGE", keys.latency(target), String(rank), String(rank), "WITHSCORES",
                ])
                return reply.array?.last?.text.flatMap { Double($0) }
            }
            let failing = try await redis.send([
                "ZRANGE", keys.failing(target), "0", String(RunAggregates.maxFailingCaseIDs - 1),
            ])
            samples[target] = RunAggregates.TargetSamples(
                latencyP50Ms: try await at(0.5), latencyP95Ms: try await at(0.95),
                failingCaseIDs: (failing.array ?? []).compactMap(\.text))
        }
        let seeded = meta["seeded"].flatMap { Int($0) } ?? 0
        return RunAggregates(
            info: info, counters: counters, samples: samples, seeded: seeded >= total,
            cancelled: meta["cancelled"] == "1")
    }

    public func results(offset: Int, limit: Int) async throws -> [CaseResult] {
        guard limit > 0 else { return [] }
        let start = max(0, offset)
        let reply = try await redis.send(["LRANGE", keys.results, String(start), String(start + limit - 1)])
        return try (reply.array ?? []).map { item in
            try CaseResult.decode(try JSONParser.parse(item.text ?? ""))
        }
    }

    public func cancel() async throws {
        _ = try await redis.run(RunScripts.cancel, keys: [keys.meta], arguments: [])
    }

    /// Deletes every key of the run (the operator's finalizer, or a test's cleanup).
    public func delete(targets: [String]) async throws {
        _ = try await redis.send(["DEL"] + keys.all(targets: targets) + [keys.statusWriter])
    }

    private func hash(_ key: String) async throws(RedisError) -> [String: String] {
        let reply = try await redis.send(["HGETALL", key])
        let items = reply.array ?? []
        var out: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let field = items[index].text, let value = items[index + 1].text { out[field] = value }
            index += 2
        }
        return out
    }

    private static func names(_ text: String?) -> [String] {
        guard let text, let json = try? JSONParser.parse(text), case .array(let items) = json else { return [] }
        return items.compactMap(\.stringValue)
    }
}
