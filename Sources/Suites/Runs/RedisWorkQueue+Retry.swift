import AssayCore
import AssayRedis

extension RedisWorkQueue {
    /// Queues again every recorded (case, repeat) whose result has a target that errored (its
    /// providers failed or timed out): the errored result leaves the run and its aggregates, and
    /// the (case, repeat) is claimed, evaluated and recorded once more like any other. For a
    /// finished (or stopped) run of `plan`; returns how many were queued.
    public func requeueErrored(_ plan: RunPlan) async throws -> Int {
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
        arguments.insert(String(arguments.count / 4), at: 0)
        for (field, amount) in RunTally(kept).counters.sorted(by: { $0.key < $1.key }) {
            arguments += [field, String(amount)]
        }
        let scriptKeys =
            [keys.cases, keys.recorded, keys.results, keys.counters]
            + plan.targets.flatMap { [keys.latency($0), keys.failing($0)] }
        let reply = try await redis.run(RunScripts.requeue, keys: scriptKeys, arguments: arguments)
        return Int(reply.integer ?? 0)
    }
}
