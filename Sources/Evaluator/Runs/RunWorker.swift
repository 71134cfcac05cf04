import AssayCore
import Evaluation
import Scoring
import Suites
import Synchronization

/// One evaluator's share of a run: claims cases from the queue, keeps up to `concurrency` of them
/// in flight, records finished ones in batches (retrying while the queue is unreachable, so no
/// result is lost across a Redis restart), keeps its claims alive with a heartbeat while it works,
/// and returns once every case of the run has a result or the run is cancelled.
///
/// Recording is a group commit: one recording call at a time takes every result finished so far
/// (after a short linger while more are due), so a shared run costs a few Redis commands per case
/// instead of a dozen. A case's slot is freed once its result is recorded.
struct RunWorker: Sendable {
    struct Options: Sendable {
        /// How long an idle worker waits before looking for claimable cases again: short next to a
        /// case's work (a provider call), long enough that idle workers do not load Redis. (Our choice.)
        static let defaultPollInterval = Duration.milliseconds(50)
        /// An idle worker with nothing in flight polls the run's progress at most this rarely: the
        /// poll doubles from `pollInterval` up to this, so a worker waiting on another's slow case
        /// costs Redis a few commands a second, and notices the run's end within a second. (Our choice.)
        static let maxIdlePollInterval = Duration.seconds(1)
        /// Waits while the queue fails: 50 ms doubling to 1 s, so a Redis restart is noticed
        /// within a second without spinning. (Our choice.)
        static let queueBackoff = try! Backoff(base: .milliseconds(50), cap: .seconds(1))
        /// Results per recording call: one call's arguments stay a few hundred KB. (Our choice.)
        static let maxRecordBatch = 64
        /// How long the recorder waits for more results while more cases are in flight: next to a
        /// provider call (hundreds of ms) it is noise, and it lets the cases of one wave share one
        /// recording call. (Our choice, measured in bench/queue.)
        static let defaultRecordLinger = Duration.milliseconds(2)

        var concurrency: Int
        var pollInterval = defaultPollInterval
        var recordLinger = defaultRecordLinger
        /// Extra time spent on each case before evaluating it (tests use it to slow a run down).
        var caseDelay: Duration = .zero

        /// The idle worker's progress poll: `pollInterval` doubling up to `maxIdlePollInterval`
        /// (the queue's backoff, 50 ms to 1 s, should `pollInterval` not be positive).
        var idleBackoff: Backoff {
            (try? Backoff(base: pollInterval, cap: max(pollInterval, Self.maxIdlePollInterval))) ?? Self.queueBackoff
        }
    }

    let queue: any WorkQueue
    let evaluator: SuiteEvaluator
    let consumer: String
    let options: Options
    let logger: Logger
    /// Where failures of the queue (a Redis outage) are told: once when they start, once when they end.
    let outages: OutageLog

    /// Runs until the run completes or is cancelled (or the task is cancelled); returns the last
    /// aggregates read.
    func run() async -> RunAggregates? {
        let shared = WorkerShared()
        // Each recorded batch yields once, so a worker at capacity waits for free slots, not a timer.
        let (freed, freedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var last: RunAggregates?
        await withDiscardingTaskGroup { outer in
            if let interval = queue.claimRefreshInterval {
                outer.addTask { await heartbeat(every: interval) }
            }
            async let recording: Void = recordLoop(ready, shared: shared, freed: freedContinuation)
            last = await claimLoop(shared: shared, freed: freed, ready: readyContinuation)
            readyContinuation.finish()
            await recording
            outer.cancelAll()
        }
        freedContinuation.finish()
        if let final = try? await queue.aggregates() { last = final }
        return last
    }

    /// Claims while slots are free and evaluates each case in a task of its own; returns the last
    /// aggregates read once the run is complete or cancelled and every case task has finished.
    private func claimLoop(
        shared: WorkerShared, freed: AsyncStream<Void>, ready: AsyncStream<Void>.Continuation
    ) async -> RunAggregates? {
        var freedIterator = freed.makeAsyncIterator()
        var last: RunAggregates?
        // Prices each result for the budget and the reports.
        let pricing = RunPricing(evaluator.spec)
        await withDiscardingTaskGroup { group in
            var failures = BackoffCounter(Options.queueBackoff)
            var idlePoll = BackoffCounter(options.idleBackoff)
            while !Task.isCancelled, !shared.stopped.load(ordering: .relaxed) {
                let free = options.concurrency - shared.inFlight.load(ordering: .relaxed)
                if free <= 0 {
                    _ = await freedIterator.next()
                    continue
                }
                let claimed: [ClaimedCase]
                do {
                    claimed = try await queue.claim(max: free)
                    failures.reset()
                    outages.succeeded()
                } catch {
                    outages.failed(error)
                    try? await Task.sleep(for: failures.next(at: .now, random: 0))
                    continue
                }
                for item in claimed {
                    shared.inFlight.add(1, ordering: .relaxed)
                    group.addTask {
                        if options.caseDelay > .zero { try? await Task.sleep(for: options.caseDelay) }
                        var result = await evaluator.evaluate(item.suiteCase, consumer: consumer)
                        result.repeat = item.repeat
                        result = pricing.priced(result)
                        shared.finished.withLock { $0.append(FinishedCase(result: result, claimed: item)) }
                        ready.yield()
                    }
                }
                if !claimed.isEmpty {
                    idlePoll.reset()
                    continue
                }
                if shared.inFlight.load(ordering: .relaxed) == 0 {
                    if let aggregates = try? await queue.aggregates() {
                        last = aggregates
                        if aggregates.isComplete || aggregates.phase == .cancelled || aggregates.budgetExceeded {
                            break
                        }
                    }
                    try? await Task.sleep(for: idlePoll.next(at: .now, random: 0))
                } else {
                    try? await Task.sleep(for: options.pollInterval)
                }
            }
        }
        return last
    }

    /// Records finished cases until `ready` ends and nothing is left to record.
    private func recordLoop(
        _ ready: AsyncStream<Void>, shared: WorkerShared, freed: AsyncStream<Void>.Continuation
    ) async {
        for await _ in ready {
            while true {
                let waiting = shared.finished.withLock { $0.count }
                if waiting == 0 { break }
                if waiting < Options.maxRecordBatch, shared.inFlight.load(ordering: .relaxed) > waiting,
                    options.recordLinger > .zero
                {
                    try? await Task.sleep(for: options.recordLinger)
                }
                let batch = shared.finished.withLock { finished in
                    let batch = Array(finished.prefix(Options.maxRecordBatch))
                    finished.removeFirst(batch.count)
                    return batch
                }
                let outcomes = await record(batch)
                if outcomes.contains(.cancelled) { shared.stopped.store(true, ordering: .relaxed) }
                shared.inFlight.subtract(batch.count, ordering: .relaxed)
                freed.yield()
            }
        }
    }

    /// Records one batch, retrying until the queue accepts or refuses it (or the task is cancelled).
    private func record(_ batch: [FinishedCase]) async -> [RecordOutcome] {
        var failures = BackoffCounter(Options.queueBackoff)
        while !Task.isCancelled {
            do {
                let outcomes = try await queue.record(batch)
                outages.succeeded()
                for (finished, outcome) in zip(batch, outcomes) where outcome == .duplicate {
                    logger.debug("case already recorded by another evaluator", ["case": finished.result.caseID])
                }
                return outcomes
            } catch {
                outages.failed(error)
                try? await Task.sleep(for: failures.next(at: .now, random: 0))
            }
        }
        return []
    }

    /// Refreshes this worker's claims every `interval` until cancelled, so no other consumer takes
    /// over a case this one is still working on, however long the case takes.
    private func heartbeat(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            do {
                try await queue.refreshClaims()
            } catch {
                outages.failed(error)
            }
        }
    }
}

/// What a worker's case tasks, claim loop and recorder share.
private final class WorkerShared: Sendable {
    let stopped = Atomic<Bool>(false)
    /// Cases claimed and not yet recorded.
    let inFlight = Atomic<Int>(0)
    /// Evaluated cases waiting for the recorder.
    let finished = Guarded<[FinishedCase]>([])
}
