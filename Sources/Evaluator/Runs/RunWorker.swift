import AssayCore
import Evaluation
import Scoring
import Suites
import Synchronization

/// One evaluator's share of a run: claims cases from the queue, keeps up to `concurrency` of them
/// in flight, records each result (retrying while the queue is unreachable, so no result is lost
/// across a Redis restart), and returns once every case of the run has a result or the run is
/// cancelled.
struct RunWorker: Sendable {
    struct Options: Sendable {
        /// How long an idle worker waits before looking for claimable cases again: short next to a
        /// case's work (a provider call), long enough that idle workers do not load Redis. (Our choice.)
        static let defaultPollInterval = Duration.milliseconds(50)
        /// Waits while the queue fails: 50 ms doubling to 1 s, so a Redis restart is noticed
        /// within a second without spinning. (Our choice.)
        static let queueBackoff = try! Backoff(base: .milliseconds(50), cap: .seconds(1))

        var concurrency: Int
        var pollInterval = defaultPollInterval
        /// Extra time spent on each case before evaluating it (tests use it to slow a run down).
        var caseDelay: Duration = .zero
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
        let counters = WorkerCounters()
        // Each finished case yields once, so a worker at capacity waits for a free slot, not a timer.
        let (finished, finishedContinuation) = AsyncStream.makeStream(of: Void.self)
        var finishedIterator = finished.makeAsyncIterator()
        var last: RunAggregates?
        await withDiscardingTaskGroup { group in
            var failures = BackoffCounter(Options.queueBackoff)
            while !Task.isCancelled, !counters.stopped.load(ordering: .relaxed) {
                let free = options.concurrency - counters.inFlight.load(ordering: .relaxed)
                if free <= 0 {
                    _ = await finishedIterator.next()
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
                    counters.inFlight.add(1, ordering: .relaxed)
                    group.addTask {
                        if await process(item) == .cancelled { counters.stopped.store(true, ordering: .relaxed) }
                        counters.inFlight.subtract(1, ordering: .relaxed)
                        finishedContinuation.yield()
                    }
                }
                if !claimed.isEmpty { continue }
                if counters.inFlight.load(ordering: .relaxed) == 0, let aggregates = try? await queue.aggregates() {
                    last = aggregates
                    if aggregates.isComplete || aggregates.phase == .cancelled { break }
                }
                try? await Task.sleep(for: options.pollInterval)
            }
        }
        finishedContinuation.finish()
        if let final = try? await queue.aggregates() { last = final }
        return last
    }

    /// Evaluates and records one case; retries recording until the queue accepts or refuses it.
    private func process(_ item: ClaimedCase) async -> RecordOutcome? {
        if options.caseDelay > .zero { try? await Task.sleep(for: options.caseDelay) }
        let result = await evaluator.evaluate(item.suiteCase, consumer: consumer)
        var failures = BackoffCounter(Options.queueBackoff)
        while !Task.isCancelled {
            do {
                let outcome = try await queue.record(result, for: item)
                outages.succeeded()
                if outcome == .duplicate {
                    logger.debug("case already recorded by another evaluator", ["case": item.suiteCase.id])
                }
                return outcome
            } catch {
                outages.failed(error)
                try? await Task.sleep(for: failures.next(at: .now, random: 0))
            }
        }
        return nil
    }
}

/// What a worker's case tasks share with its claim loop.
private final class WorkerCounters: Sendable {
    let stopped = Atomic<Bool>(false)
    let inFlight = Atomic<Int>(0)
}
