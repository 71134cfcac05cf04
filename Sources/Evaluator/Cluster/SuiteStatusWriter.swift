import AssayCore
import AssayKube
import AssayRedis
import Scoring
import Suites

/// Writes a run's progress onto its `EvaluationSuite`'s status, coalesced across evaluators: each
/// round (every status interval) the evaluators race for the run's status-writer key with
/// `SET NX PX <interval>`, and only the winner writes. A key lives exactly one interval, so
/// however many evaluators run, the resource gets at most one progress write per interval.
///
/// A write is a JSON patch whose first operation tests `/status/runID`: once the operator has
/// moved the suite to another run the patch fails (422 or 409) and is skipped, so an evaluator of
/// an old generation can never overwrite the new run's progress.
actor SuiteStatusWriter {
    let client: KubeClient
    let redis: RedisClient
    let suite: String
    let namespace: String
    let runID: RunID
    let consumer: String
    let interval: Duration
    let logger: Logger
    /// The pod's Redis outages, told once each way (``OutageLog``); nil: each failure is a line.
    let outages: OutageLog?
    /// The progress this evaluator last wrote, to skip writes that change nothing.
    private(set) var lastWritten: SuiteProgress?

    init(
        client: KubeClient, redis: RedisClient, suite: String, namespace: String, runID: RunID, consumer: String,
        interval: Duration, logger: Logger, outages: OutageLog? = nil
    ) {
        self.client = client
        self.redis = redis
        self.suite = suite
        self.namespace = namespace
        self.runID = runID
        self.consumer = consumer
        self.interval = interval
        self.logger = logger
        self.outages = outages
    }

    /// One round: writes `progress` if it differs from this evaluator's last write and this
    /// evaluator wins the round's status-writer key. Returns whether it wrote.
    @discardableResult
    func writeIfHolder(_ progress: SuiteProgress) async -> Bool {
        guard progress != lastWritten else { return false }
        guard await acquire() else { return false }
        return await write(progress)
    }

    /// Writes `progress` whoever holds the key (the final counts when this evaluator's worker
    /// ends), unless it is what this evaluator wrote last. Returns whether it wrote.
    @discardableResult
    func writeFinal(_ progress: SuiteProgress) async -> Bool {
        guard progress != lastWritten else { return false }
        return await write(progress)
    }

    /// `SET <statusWriter> <consumer> NX PX <interval>`: OK for the one evaluator that writes this round.
    private func acquire() async -> Bool {
        let milliseconds = max(1, Int64(interval.inMilliseconds.rounded()))
        do {
            let reply = try await redis.send([
                "SET", RunKeys(runID).statusWriter, consumer, "NX", "PX", String(milliseconds),
            ])
            outages?.succeeded()
            return reply.text == "OK"
        } catch {
            if let outages {
                outages.failed(error)
            } else {
                logger.warning("cannot take the status-writer key; skipping this round", ["error": "\(error)"])
            }
            return false
        }
    }

    private func write(_ progress: SuiteProgress) async -> Bool {
        do {
            _ = try await client.patchStatus(
                .evaluationSuite, name: suite, namespace: namespace, Self.patch(runID: runID, progress: progress))
            lastWritten = progress
            logger.debug(
                "wrote the suite's progress",
                ["suite": suite, "run": runID.rawValue, "progress": progress.counts.summary])
            return true
        } catch let error where error.status?.code == 409 || error.status?.code == 422 || error.isNotFound {
            // The operator moved the suite to another run (the runID test failed), or the suite is gone.
            logger.debug(
                "the suite is no longer on this run; progress not written",
                ["suite": suite, "run": runID.rawValue, "error": "\(error)"])
            return false
        } catch {
            logger.warning(
                "cannot write the suite's progress", ["suite": suite, "run": runID.rawValue, "error": "\(error)"])
            return false
        }
    }

    /// The JSON patch for `/status`: test that the suite is still on `runID`, then add each of the
    /// progress members (`add` replaces a member already there).
    static func patch(runID: RunID, progress: SuiteProgress) -> KubePatch {
        var operations: [JSONPatchOperation] = [.test(path: "/status/runID", value: .string(runID.rawValue))]
        for (name, value) in progress.members {
            operations.append(.add(path: "/status/" + JSONPatchOperation.escape(name), value: value))
        }
        return .json(operations)
    }
}
