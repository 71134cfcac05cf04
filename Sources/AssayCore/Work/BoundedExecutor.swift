import CSystem
import Foundation

/// Runs CPU-bound jobs (parsing, decoding and scoring a request) on a fixed set of threads, away
/// from the HTTP event loops, so that a request that computes for a while never delays the reads,
/// writes and health checks of other connections.
///
/// The queue in front of the threads is bounded: when ``Configuration/maxQueued`` jobs already
/// wait, a new request's job is refused at once with ``Rejection/overloaded(queued:retryAfter:)``
/// (the caller answers 503 with `Retry-After`) instead of waiting behind work it cannot overtake.
/// Jobs of requests already admitted (``Admission/admitted``: scoring an output a provider has
/// just generated) always queue, so that paid work is never thrown away.
///
/// A job whose ``WorkCancellation`` is cancelled before it starts does not run; one that is
/// running sees the cancellation through its ``WorkBudget``.
public final class BoundedExecutor: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Sheds when this many jobs wait. A request of the evaluation API costs from tens of
        /// microseconds (1 KB) to about a millisecond (1 MB) of one core, so 256 waiting jobs are
        /// at most a few hundred milliseconds of work on two cores, and four times the 64
        /// connections a benchmark or a busy client keeps open. (Our choice.)
        public static let defaultMaxQueued = 256

        /// Worker threads: one per core the process may use.
        public var threads: Int
        public var maxQueued: Int
        /// Names the threads (`<label>-<n>`) in debuggers and `top -H`.
        public var label: String

        public init(
            threads: Int = ProcessInfo.processInfo.activeProcessorCount, maxQueued: Int = defaultMaxQueued,
            label: String = "work"
        ) {
            self.threads = max(1, threads)
            self.maxQueued = max(0, maxQueued)
            self.label = label
        }
    }

    public enum Admission: Sendable {
        /// A new request's first job: refused when the queue is full.
        case new
        /// A later job of a request already admitted: always queued.
        case admitted
    }

    public enum Rejection: Error, Sendable, Equatable {
        /// The queue is full; `retryAfter` estimates when it will have room.
        case overloaded(queued: Int, retryAfter: Duration)
        /// The job's request was cancelled before the job started.
        case cancelled(WorkCancellation.Reason)
        /// The executor has been stopped.
        case stopped
    }

    private struct Job {
        let cancellation: WorkCancellation?
        /// Runs the work and returns what resumes the caller with its result; the worker counts
        /// the job finished first, so a caller never sees its answer while the executor still
        /// counts its thread busy (and sheds that caller's next request).
        let run: () -> () -> Void
        /// Resumes the caller with a rejection instead.
        let drop: (Rejection) -> Void
    }

    /// Weight of the newest job in the moving average of job durations behind `Retry-After`.
    static let durationSmoothing = 0.1

    public let configuration: Configuration
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Job] = []
    private var head = 0
    private var running = 0
    private var stopped = false
    private var averageJobSeconds = 0.001

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        for index in 0..<configuration.threads {
            // Named from inside through pthread: Foundation on Linux may drop a name set on the Thread.
            let name = "\(configuration.label)-\(index)"
            Thread { [self] in
                assay_set_thread_name(name)
                work()
            }.start()
        }
    }

    /// Jobs waiting for a thread.
    public var queued: Int { locked { queue.count - head } }

    /// Jobs running now.
    public var busy: Int { locked { running } }

    /// Whether a new request's job would be admitted now (``Admission/new``): callers that may do
    /// a tiny piece of work themselves instead of queueing it ask this first, so that a full queue
    /// sheds them exactly as it sheds a job.
    public var admitsNew: Bool { locked { overload(.new) == nil } }

    /// Runs `work` on one of the executor's threads and returns its result.
    public func run<T: Sendable>(
        _ admission: Admission = .new, cancellation: WorkCancellation? = nil, _ work: @escaping @Sendable () -> T
    ) async throws(Rejection) -> T {
        let result: Result<T, Rejection> = await withCheckedContinuation { continuation in
            let job = Job(
                cancellation: cancellation,
                run: {
                    let value = work()
                    return { continuation.resume(returning: .success(value)) }
                },
                drop: { continuation.resume(returning: .failure($0)) })
            if let rejection = enqueue(job, admission) { job.drop(rejection) }
        }
        return try result.get()
    }

    /// Stops the threads once the jobs already running finish; queued jobs are rejected with
    /// ``Rejection/stopped``.
    public func stop() {
        let orphans = locked { () -> ArraySlice<Job> in
            stopped = true
            defer {
                queue = []
                head = 0
            }
            condition.broadcast()
            return queue[head...]
        }
        for job in orphans { job.drop(.stopped) }
    }

    private func enqueue(_ job: Job, _ admission: Admission) -> Rejection? {
        locked {
            if let refusal = overload(admission) { return refusal }
            queue.append(job)
            condition.signal()
            return nil
        }
    }

    /// Why a job of `admission` would be refused now; `nil` if it would be queued. Called locked.
    private func overload(_ admission: Admission) -> Rejection? {
        if stopped { return .stopped }
        let waiting = queue.count - head
        // Shed when every thread is busy and `maxQueued` jobs already wait for one.
        if admission == .new, waiting + running >= configuration.threads + configuration.maxQueued {
            let seconds = Double(waiting + running) * averageJobSeconds / Double(configuration.threads)
            return .overloaded(queued: waiting, retryAfter: .seconds(max(1, Int(seconds.rounded(.up)))))
        }
        return nil
    }

    /// A worker thread's body.
    private func work() {
        while let job = next() {
            if let reason = job.cancellation?.reason {
                finished(after: nil)
                job.drop(.cancelled(reason))
                continue
            }
            let started = ContinuousClock.now
            let resume = job.run()
            finished(after: ContinuousClock.now - started)
            resume()
        }
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count, !stopped { condition.wait() }
        if stopped { return nil }
        let job = queue[head]
        head += 1
        // Compact once the consumed prefix dominates, so the array does not grow without bound.
        if head >= 64, head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        running += 1
        return job
    }

    private func finished(after duration: Duration?) {
        locked {
            running -= 1
            if let duration {
                let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
                averageJobSeconds += Self.durationSmoothing * (seconds - averageJobSeconds)
            }
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}
