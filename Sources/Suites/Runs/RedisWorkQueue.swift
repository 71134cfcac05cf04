import AssayCore
import AssayRedis

/// A run's cases on a Redis stream with a consumer group.
///
/// Per case, in a shared run: one claim read (`XREADGROUP` with `COUNT`, amortised over a batch),
/// one recording script for a batch of finished cases (records each result unless one exists,
/// updates every aggregate and acknowledges, in about ten commands whatever the batch's size), and
/// what recovery needs. Claims are kept alive by a heartbeat: a live consumer refreshes the idle
/// time of the entries it holds (`XCLAIM … JUSTID`) every ``claimRefreshInterval``, so only the
/// entries of a consumer that stopped beating grow idle past the visibility timeout, and those are
/// taken over with `XAUTOCLAIM` by whichever consumer looks next. A slow case of a live consumer is
/// never taken; a dead consumer's cases move within the visibility timeout plus one check interval.
/// A consumer that stalled past the timeout and came back does not take its old claims back (its
/// beat refreshes only entries still pending under it), and a case is still counted exactly once
/// if it finishes one of them anyway: the recording script is the guard.
public final class RedisWorkQueue: WorkQueue {
    public struct Configuration: Sendable {
        /// The consumer group every evaluator of a run joins.
        public static let group = "evaluators"
        /// A claim not refreshed for this long is taken over. Live consumers refresh theirs every
        /// quarter of it (2.5 s), so a consumer must miss four beats in a row (killed, or cut off
        /// from Redis), never merely run a slow case, before it loses them; other consumers look
        /// for lapsed claims as often, so a killed consumer's cases move within 10 + 2.5 s plus an
        /// idle worker's poll (at most 1 s): 13.5 s, inside the 15 s a killed pod may cost.
        /// (Our choice; the bound of 15 s is the product's.)
        public static let defaultVisibilityTimeout = Duration.seconds(10)
        /// Beats (and looks for lapsed claims) this many times per visibility timeout. (Our choice.)
        public static let beatsPerTimeout = 4
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

        /// How often a live consumer refreshes its claims, and how often it looks for lapsed ones.
        public var beatInterval: Duration { visibilityTimeout / Self.beatsPerTimeout }
    }

    /// What the claim path remembers between calls.
    private struct ClaimState {
        /// `XAUTOCLAIM`'s cursor over the pending entries list.
        var cursor = "0-0"
        /// The stream had no new entry at the last read: read again only when looking for lapsed claims.
        var exhausted = false
        /// When to look for lapsed claims next (now, when nil).
        var nextCheck: ContinuousClock.Instant?
        /// Entry ids this consumer claimed and has not recorded: what the heartbeat refreshes.
        var held: Set<String> = []
        /// The run's budget is spent (seen in a recording's reply or the meta): claim nothing more.
        var budgetExceeded = false
        /// Whether results add per-cluster tallies (``RunPlan/tallyEveryCase``, from the plan or the meta).
        var tallyEveryCase: Bool?
    }

    public let configuration: Configuration
    public let keys: RunKeys
    let redis: RedisClient
    /// The plan this process prepared, to prepare again if Redis comes back without the run.
    private let plan = Guarded<RunPlan?>(nil)
    private let state = Guarded(ClaimState())

    public init(redis: RedisClient, configuration: Configuration) {
        self.redis = redis
        self.configuration = configuration
        keys = RunKeys(configuration.run)
    }

    private var group: String { Configuration.group }

    public func prepare(_ plan: RunPlan) async throws {
        self.plan.withLock { $0 = plan }
        state.withLock {
            $0.exhausted = false
            $0.cursor = "0-0"
            $0.tallyEveryCase = plan.tallyEveryCase
        }
        let ttl = String(max(1, plan.resultTTL.components.seconds))
        let meta: [String] = [
            "suite", plan.suiteName, "total", String(plan.workItemCount), "seeded", "0",
            "repeats", String(plan.repeats), "tallyEveryCase", plan.tallyEveryCase ? "1" : "0",
            "maxTokens", plan.budget?.maxTokens.map { String($0) } ?? "",
            "maxCost", plan.budget?.maxCost.map { String($0) } ?? "",
            "targets", JSONWriter.string(.array(plan.targets.map(JSONValue.string))),
            "criteria", JSONWriter.string(.array(plan.criteria.map(JSONValue.string))),
            "passThreshold", String(plan.passThreshold), "cancelled", "0",
            "gateOn", plan.gate.on.rawValue, "confidenceLevel", String(plan.confidenceLevel),
        ]
        let created = try await redis.run(
            RunScripts.create, keys: [keys.meta, keys.cases], arguments: [group, ttl] + meta)
        var seeded = Int(created.integer ?? 0)
        while seeded < plan.workItemCount {
            let batch = seeded..<min(plan.workItemCount, seeded + Configuration.seedBatch)
            let payload = batch.flatMap { index in
                let item = plan.workItem(index)
                return [JSONWriter.string(item.suiteCase.json), String(item.repeat)]
            }
            _ = try await redis.run(
                RunScripts.seed, keys: [keys.meta, keys.cases], arguments: [String(seeded), ttl] + payload)
            seeded = batch.upperBound
        }
    }

    public func claim(max: Int) async throws -> [ClaimedCase] {
        guard max > 0, !state.withLock({ $0.budgetExceeded }) else { return [] }
        let result: Result<[ClaimedCase], RedisError>
        do {
            result = .success(try await claimOnce(max: max))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let claimed):
            state.withLock { $0.held.formUnion(claimed.map(\.entryID)) }
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
        let now = ContinuousClock.now
        let check = state.withLock { state in
            let due = state.nextCheck.map { now >= $0 } ?? true
            if due { state.nextCheck = now + configuration.beatInterval }
            return due
        }
        var claimed = check ? try await takeOver(max: max) : []
        let read = state.withLock { !$0.exhausted } || check
        if read, claimed.count < max {
            let wanted = max - claimed.count
            let reply = try await redis.send([
                "XREADGROUP", "GROUP", group, configuration.consumer, "COUNT", String(wanted),
                "STREAMS", keys.cases, ">",
            ])
            // [[stream, [[id, [field, value, ...]], ...]]] or nil.
            var fresh: [ClaimedCase] = []
            for stream in reply.array ?? [] {
                fresh += try await entries(stream.array?.last, reclaimed: false)
            }
            state.withLock { $0.exhausted = fresh.count < wanted }
            claimed += fresh
        }
        return claimed
    }

    /// Takes over entries idle longer than the visibility timeout: their consumer stopped beating.
    private func takeOver(max: Int) async throws(RedisError) -> [ClaimedCase] {
        let cursor = state.withLock { $0.cursor }
        let idle = Int64(configuration.visibilityTimeout.inMilliseconds.rounded(.up))
        let reply = try await redis.send([
            "XAUTOCLAIM", keys.cases, group, configuration.consumer, String(idle), cursor, "COUNT", String(max),
        ])
        // [next cursor, [[id, [field, value, ...]], ...], [deleted ids]]
        guard let parts = reply.array, parts.count >= 2 else {
            throw .protocolError("XAUTOCLAIM returned \(reply), expected [cursor, entries, ...]")
        }
        let next = parts[0].text ?? "0-0"
        state.withLock { state in
            state.cursor = next
            // More of the pending list to scan: continue at the next claim, not a beat later.
            if next != "0-0" { state.nextCheck = nil }
        }
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
            // Entries seeded before repeats existed carry no `repeat` field: the first.
            let repeatIndex = fields.count >= 4 && fields[2].text == "repeat" ? Int(fields[3].text ?? "") ?? 1 : 1
            out.append(ClaimedCase(entryID: id, suiteCase: suiteCase, reclaimed: reclaimed, repeat: repeatIndex))
        }
        return out
    }

    public var claimRefreshInterval: Duration? { configuration.beatInterval }

    /// Resets the idle time of every entry this consumer still holds (one script: `XCLAIM … JUSTID`
    /// over the entries pending under this consumer), so none lapses while this consumer lives,
    /// however long its case takes. Entries another consumer took over while this one stalled are
    /// left with it and forgotten here: the result this consumer may still record is the duplicate.
    public func refreshClaims() async throws {
        let held = state.withLock { Array($0.held) }
        guard !held.isEmpty else { return }
        let reply = try await redis.run(
            RunScripts.beat, keys: [keys.cases], arguments: [group, configuration.consumer] + held.sorted())
        let lost = (reply.array ?? []).compactMap(\.text)
        if !lost.isEmpty { state.withLock { $0.held.subtract(lost) } }
    }

    public func record(_ batch: [FinishedCase]) async throws -> [RecordOutcome] {
        guard !batch.isEmpty else { return [] }
        let plan = plan.withLock { $0 }
        let ttl = String(max(1, (plan?.resultTTL ?? RunPlan.defaultResultTTL).components.seconds))
        var targets: [String] = []
        for finished in batch {
            for target in finished.result.targets where !targets.contains(target.target) {
                targets.append(target.target)
            }
        }
        var arguments = [
            group, ttl, String(batch.count), String(targets.count), String(plan?.workItemCount ?? 0),
            plan?.budget?.maxTokens.map { String($0) } ?? "", plan?.budget?.maxCost.map { String($0) } ?? "",
        ]
        let everyCase = try await tallyEveryCase()
        for finished in batch {
            let result = finished.result
            arguments += [finished.claimed.entryID, result.recordKey, JSONWriter.string(result.json)]
            for name in targets {
                let target = result.targets.first { $0.target == name }
                arguments += [target.map { String($0.latencyMs) } ?? "", target?.passed == false ? "1" : "0"]
            }
            let unit = CaseTally.unit(
                caseID: result.caseID, cluster: finished.claimed.suiteCase.field("cluster"), everyCase: everyCase)
            let increments = RunTally.increments(for: result, unit: unit)
            arguments.append(String(increments.count))
            for (field, amount) in increments { arguments += [field, String(amount)] }
        }
        let scriptKeys =
            [keys.cases, keys.meta, keys.recorded, keys.results, keys.counters]
            + targets.flatMap { [keys.latency($0), keys.failing($0)] }
        let reply = try await redis.run(RunScripts.record, keys: scriptKeys, arguments: arguments)
        state.withLock { $0.held.subtract(batch.map(\.claimed.entryID)) }
        if reply.integer == -1 { return batch.map { _ in .cancelled } }
        if reply.array?.count == batch.count + 1, reply.array?.last?.integer == 2 {
            state.withLock { $0.budgetExceeded = true }
        }
        let outcomes: [RecordOutcome] = (reply.array ?? []).compactMap {
            switch $0.integer {
            case 1: .recorded
            case 0: .duplicate
            default: nil
            }
        }
        guard outcomes.count == batch.count else {
            throw RedisError.protocolError(
                "the record script returned \(reply), expected -1 or one 1 or 0 per case of \(batch.count)")
        }
        return outcomes
    }

    public func aggregates() async throws -> RunAggregates? {
        let meta = try await hash(keys.meta)
        guard let total = meta["total"].flatMap({ Int($0) }) else { return nil }
        let targets = Self.names(meta["targets"])
        let info = RunInfo(
            id: configuration.run, suiteName: meta["suite"] ?? "", total: total, targets: targets,
            criteria: Self.names(meta["criteria"]), passThreshold: meta["passThreshold"].flatMap { Double($0) } ?? 1,
            repeats: meta["repeats"].flatMap { Int($0) } ?? 1, budget: Self.budget(meta),
            gate: GateSpec(on: meta["gateOn"].flatMap(GateSpec.Bound.init(rawValue:)) ?? .estimate),
            confidenceLevel: meta["confidenceLevel"].flatMap { Double($0) }
                ?? EvaluationSuiteSpec.defaultConfidenceLevel)
        state.withLock { $0.tallyEveryCase = Self.tallyEveryCase(meta) }
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
        let budgetExceeded = meta["budgetExceeded"] == "1"
        if budgetExceeded { state.withLock { $0.budgetExceeded = true } }
        return RunAggregates(
            info: info, counters: counters, samples: samples, seeded: seeded >= total,
            cancelled: meta["cancelled"] == "1", budgetExceeded: budgetExceeded)
    }

    /// Whether results add per-cluster tallies: the plan's ``RunPlan/tallyEveryCase``, or read
    /// once from the meta (an evaluator records a run the operator prepared).
    private func tallyEveryCase() async throws(RedisError) -> Bool {
        if let everyCase = state.withLock({ $0.tallyEveryCase }) { return everyCase }
        let fields = ["repeats", "tallyEveryCase"]
        let reply = try await redis.send(["HMGET", keys.meta] + fields)
        var meta: [String: String] = [:]
        for (field, value) in zip(fields, reply.array ?? []) { meta[field] = value.text }
        let everyCase = Self.tallyEveryCase(meta)
        state.withLock { $0.tallyEveryCase = everyCase }
        return everyCase
    }

    /// ``RunPlan/tallyEveryCase`` as the meta records it (a run created before the flag: by its repeats).
    private static func tallyEveryCase(_ meta: [String: String]) -> Bool {
        meta["tallyEveryCase"] == "1" || (meta["repeats"].flatMap { Int($0) } ?? 1) > 1
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

    private static func budget(_ meta: [String: String]) -> BudgetSpec? {
        let budget = BudgetSpec(
            maxTokens: meta["maxTokens"].flatMap { Int($0) }, maxCost: meta["maxCost"].flatMap { Double($0) })
        return budget.maxTokens == nil && budget.maxCost == nil ? nil : budget
    }

    private static func names(_ text: String?) -> [String] {
        guard let text, let json = try? JSONParser.parse(text), case .array(let items) = json else { return [] }
        return items.compactMap(\.stringValue)
    }
}
