import AssayCore
import AssayRedis

/// Why `--retry-errors` will not touch a run now: another process is still recording it.
public enum RequeueRefusal: Error, Sendable, CustomStringConvertible {
    /// Other consumers hold claims refreshed within the claim timeout (name and cases held), the
    /// freshest claimed `idleMilliseconds` ago.
    case liveClaims(run: RunID, consumers: [String: Int], idleMilliseconds: Int64, claimTimeout: Duration)
    /// Results kept being recorded while the errored ones were being taken out.
    case resultsChanging(run: RunID)

    public var description: String {
        let advice =
            "let those processes finish (or stop them and wait for the claim timeout), then retry the errored cases"
        switch self {
        case .liveClaims(let run, let consumers, let idle, let timeout):
            let names = consumers.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) cases)" }
            return
                "run \(run) is still being recorded: \(names.joined(separator: ", ")) claimed cases \(idle) ms ago "
                + "(claims lapse after \(Int(timeout.inMilliseconds.rounded())) ms); \(advice)"
        case .resultsChanging(let run):
            return "run \(run) is still being recorded: results kept arriving while its errors were retried; \(advice)"
        }
    }
}

extension RedisWorkQueue {
    /// Tries to rewrite the tallies from one snapshot of the results this many times while
    /// another process keeps recording into it. (Our choice.)
    static let requeueAttempts = 3

    /// Queues again every recorded (case, repeat) whose result has a target that errored (its
    /// providers failed or timed out): the errored result leaves the run and its aggregates, and
    /// the (case, repeat) is claimed, evaluated and recorded once more like any other. For a
    /// finished (or stopped) run of `plan`; returns how many were queued.
    ///
    /// Refuses (``RequeueRefusal``) while another consumer holds claims younger than the claim
    /// timeout (a process still evaluating the run; a killed one's claims lapse and are taken
    /// over as usual). Only recorded results are ever requeued, never a pending claim, and the
    /// tallies are rewritten only if no result was recorded since they were read.
    public func requeueErrored(_ plan: RunPlan) async throws -> Int {
        for _ in 0..<Self.requeueAttempts {
            try await refuseLiveClaims()
            if let queued = try await requeueErroredOnce(plan) { return queued }
        }
        throw RequeueRefusal.resultsChanging(run: configuration.run)
    }

    /// Throws ``RequeueRefusal/liveClaims(run:consumers:idleMilliseconds:claimTimeout:)`` when
    /// other consumers hold claims refreshed within the claim timeout.
    func refuseLiveClaims() async throws {
        let timeout = Int64(configuration.visibilityTimeout.inMilliseconds.rounded(.up))
        // Each entry: [id, consumer, idle ms, deliveries]. Pending claims are at most every
        // consumer's concurrency: a bounded list.
        let pending = try await redis.send(["XPENDING", keys.cases, Configuration.group, "-", "+", "100000"])
        var live: [String: Int] = [:]
        var freshest = Int64.max
        for entry in pending.array ?? [] {
            guard let fields = entry.array, fields.count >= 3, let consumer = fields[1].text,
                let idle = fields[2].integer, consumer != configuration.consumer, idle < timeout
            else { continue }
            live[consumer, default: 0] += 1
            freshest = min(freshest, idle)
        }
        guard live.isEmpty else {
            throw RequeueRefusal.liveClaims(
                run: configuration.run, consumers: live, idleMilliseconds: freshest,
                claimTimeout: configuration.visibilityTimeout)
        }
    }

    /// One snapshot and requeue; `nil` when a result was recorded in between.
    private func requeueErroredOnce(_ plan: RunPlan) async throws -> Int? {
        let stored = try await redis.send(["LRANGE", keys.results, "0", "-1"])
        var kept: [CaseResult] = []
        var retry: [(raw: String, result: CaseResult)] = []
        for item in stored.array ?? [] {
            guard let raw = item.text else { continue }
            let result = try CaseResult.decode(try JSONParser.parse(raw))
            if result.targets.contains(where: { $0.error != nil }) {
                retry.append((raw, result))
            } else {
                kept.append(result)
            }
        }
        guard !retry.isEmpty else { return 0 }
        var cases: [String: SuiteCase] = [:]
        for suiteCase in plan.cases { cases[suiteCase.id] = suiteCase }
        var arguments: [String] = []
        for (raw, result) in retry {
            guard let suiteCase = cases[result.caseID] else { continue }
            arguments += [result.recordKey, raw, JSONWriter.string(suiteCase.json), String(result.repeat)]
        }
        arguments.insert(contentsOf: [String(stored.array?.count ?? 0), String(arguments.count / 4)], at: 0)
        // Tallied as the run records them, per dataset cluster or case (``RunPlan/tallyEveryCase``).
        let tally = RunTally(kept, clusters: plan.clusters, repeats: plan.repeats)
        for (field, amount) in tally.counters.sorted(by: { $0.key < $1.key }) {
            arguments += [field, String(amount)]
        }
        let scriptKeys =
            [keys.cases, keys.recorded, keys.results, keys.counters]
            + plan.targets.flatMap { [keys.latency($0), keys.failing($0)] }
        let reply = try await redis.run(RunScripts.requeue, keys: scriptKeys, arguments: arguments)
        let queued = Int(reply.integer ?? 0)
        return queued < 0 ? nil : queued
    }
}
