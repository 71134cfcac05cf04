import AssayCore
import CCurl
import Glibc
import Synchronization

/// Drives one libcurl multi handle on a dedicated thread.
///
/// Callers hand in ``CurlJob``s through a locked inbox and wake the thread with
/// `curl_multi_wakeup` (the one multi call libcurl documents as safe from other threads). The
/// thread adds jobs, aborts cancelled ones, runs `curl_multi_perform`, completes finished
/// transfers, and sleeps in `curl_multi_poll`. Easy handles are pooled; the multi handle keeps
/// the per-host connection cache, so sequential requests to one host reuse one connection.
final class CurlMultiLoop: @unchecked Sendable {
    // @unchecked: `multi` is used only on the loop thread, except for `curl_multi_wakeup`;
    // everything else shared is in `inbox` (a Guarded) or atomics.
    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClientConfiguration
    private let inbox = Guarded(Inbox())
    private let activeCount = Atomic<Int>(0)
    private let idleCount = Atomic<Int>(0)
    private var thread: pthread_t?

    private struct Inbox {
        var jobs: [CurlJob] = []
        var stopping = false
    }

    /// How long `curl_multi_poll` may sleep when libcurl has no earlier timer; wakeups cut it short.
    private static let pollIntervalMilliseconds: Int32 = 1000

    init(configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        _ = CurlGlobal.initialized
        guard let multi = curl_multi_init() else { throw .invalidRequest("curl_multi_init failed") }
        self.multi = multi
        self.configuration = configuration
        if configuration.maxConnectionsPerHost > 0 {
            _ = assay_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        }
        // The thread owns one reference to the body (and through it to self) until run() returns.
        let body = Unmanaged.passRetained(ThreadBody { [self] in self.run() })
        var tid = pthread_t()
        let rc = pthread_create(
            &tid, nil,
            { arg in
                Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue().run()
                return nil
            }, body.toOpaque())
        guard rc == 0 else {
            body.release()  // deinit then cleans up the multi handle
            throw .invalidRequest("could not start the HTTP client thread (pthread_create: \(rc))")
        }
        thread = tid
    }

    /// Runs after the thread has exited (it holds a reference while running), so no transfer is
    /// attached; a late `wake()` before this point still finds a valid handle.
    deinit { curl_multi_cleanup(multi) }

    /// Transfers currently attached to the multi handle.
    var activeTransfers: Int { activeCount.load(ordering: .relaxed) }
    /// Easy handles parked for reuse.
    var idleHandles: Int { idleCount.load(ordering: .relaxed) }

    func submit(_ job: CurlJob) {
        let accepted = inbox.withLock { inbox -> Bool in
            if inbox.stopping { return false }
            inbox.jobs.append(job)
            return true
        }
        guard accepted else { return job.continuation.resume(returning: .failure(.shutDown)) }
        wake()
    }

    func wake() { _ = curl_multi_wakeup(multi) }

    /// Stops the thread, failing whatever is still in flight with ``HTTPClientError/shutDown``.
    func shutdown() {
        inbox.withLock { $0.stopping = true }
        wake()
        if let thread, !pthread_equal(thread, pthread_self()).isTrue {
            pthread_join(thread, nil)
        }
        thread = nil
    }

    // MARK: - Loop thread

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [CurlEasyHandle] = []
        while true {
            let (jobs, stopping) = inbox.withLock { inbox in
                defer { inbox.jobs = [] }
                return (inbox.jobs, inbox.stopping)
            }
            if stopping {
                for job in jobs { job.continuation.resume(returning: .failure(.shutDown)) }
                for (raw, transfer) in active {
                    curl_multi_remove_handle(multi, raw)
                    transfer.job.continuation.resume(returning: .failure(.shutDown))
                }
                active = [:]
                idle = []
                break
            }
            for job in jobs {
                if job.ticket.isCancelled {
                    job.continuation.resume(returning: .failure(.cancelled))
                    continue
                }
                let easy = idle.popLast() ?? CurlEasyHandle()
                guard let easy else {
                    job.continuation.resume(returning: .failure(.invalidRequest("curl_easy_init failed")))
                    continue
                }
                let transfer = CurlTransfer(
                    job: job, easy: easy, limit: job.request.maxResponseBytes ?? configuration.maxResponseBytes)
                do {
                    try CurlRequestSetup.configure(transfer, configuration: configuration)
                } catch {
                    easy.reset()
                    idle.append(easy)
                    job.continuation.resume(returning: .failure(error))
                    continue
                }
                curl_multi_add_handle(multi, easy.raw)
                active[easy.raw] = transfer
            }
            for (raw, transfer) in active where transfer.job.ticket.isCancelled {
                active[raw] = nil
                finish(transfer, result: .failure(.cancelled), idle: &idle)
            }
            publish(active: active.count, idle: idle.count)

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: raw)
                else { continue }
                let code = message.pointee.data.result
                finish(transfer, result: CurlRequestSetup.result(of: transfer, code: code), idle: &idle)
            }
            publish(active: active.count, idle: idle.count)
            curl_multi_poll(multi, nil, 0, Self.pollIntervalMilliseconds, nil)
        }
        publish(active: 0, idle: 0)
    }

    /// Detaches the handle, parks it for reuse, then resumes the caller (counts are published
    /// first, so a caller that sees the result also sees the handle released).
    private func finish(
        _ transfer: CurlTransfer, result: Result<ClientResponse, HTTPClientError>, idle: inout [CurlEasyHandle]
    ) {
        curl_multi_remove_handle(multi, transfer.easy.raw)
        transfer.easy.reset()
        if idle.count < configuration.maxIdleHandles { idle.append(transfer.easy) }
        activeCount.subtract(1, ordering: .relaxed)
        idleCount.store(idle.count, ordering: .relaxed)
        transfer.job.continuation.resume(returning: result)
    }

    private func publish(active: Int, idle: Int) {
        activeCount.store(active, ordering: .relaxed)
        idleCount.store(idle, ordering: .relaxed)
    }
}

/// The closure a new thread runs, boxed to cross `pthread_create`'s `void *`.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

extension Int32 {
    fileprivate var isTrue: Bool { self != 0 }
}

/// `curl_global_init` once per process, before the first handle (a `static let` initialiser
/// runs exactly once, thread-safely).
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
