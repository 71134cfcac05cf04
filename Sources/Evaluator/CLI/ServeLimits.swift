import AssayCore
import AssayHTTP

/// What bounds `serve`'s work, from its flags: the connection cap and request deadline (into the
/// server's configuration) and the executor that parses and scores requests off the event loops.
struct ServeLimits {
    let executor: BoundedExecutor

    /// `--max-connections`, `--request-timeout-seconds`, `--scoring-threads`, `--scoring-queue`.
    static func options(_ parser: inout OptionParser) {
        parser.option(
            "max-connections", env: "ASSAY_MAX_CONNECTIONS",
            help: "Open connections at most; more are closed at once (default: 512 per event loop)")
        parser.option(
            "request-timeout-seconds", env: "ASSAY_REQUEST_TIMEOUT_SECONDS",
            default: String(Int(HTTPServerConfiguration.defaultRequestTimeout.inSeconds)),
            help: "Longest a request may take once received; then its work is cancelled and it gets 504")
        parser.option(
            "scoring-threads", env: "ASSAY_SCORING_THREADS",
            help: "Threads that parse and score requests, off the event loops (default: one per available core)")
        parser.option(
            "scoring-queue", env: "ASSAY_SCORING_QUEUE",
            default: String(BoundedExecutor.Configuration.defaultMaxQueued),
            help: "Requests waiting for a scoring thread at most; more get 503 with Retry-After")
    }

    init(_ values: OptionValues, configuration: inout HTTPServerConfiguration) throws {
        if let connections = try values.int("max-connections", atLeast: 1) {
            configuration.maxConnections = connections
        } else {
            configuration.maxConnections = HTTPServerConfiguration.defaultMaxConnections(
                eventLoops: configuration.eventLoopCount)
        }
        if let timeout = try values.positiveSeconds("request-timeout-seconds") {
            configuration.requestTimeout = timeout
        }
        var work = BoundedExecutor.Configuration(label: "scoring")
        if let threads = try values.int("scoring-threads", atLeast: 1) { work.threads = threads }
        if let queued = try values.int("scoring-queue", atLeast: 0) { work.maxQueued = queued }
        executor = BoundedExecutor(configuration: work)
    }

    /// Waits for `task` to end, but not past `deadline`: shutdown must end within its grace
    /// period whatever a task does.
    static func wait(for task: Task<Void, Never>, until deadline: ContinuousClock.Instant) async {
        let resumed = Guarded(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeOnce = { @Sendable in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume() }
            }
            Task {
                await task.value
                resumeOnce()
            }
            Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                resumeOnce()
            }
        }
    }
}
