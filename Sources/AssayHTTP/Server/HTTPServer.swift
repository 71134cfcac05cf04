import AssayCore
import CSystem
import Foundation
import Synchronization

/// The HTTP/1.1 server: `eventLoopCount` threads, each with its own epoll, SO_REUSEPORT listening socket and
/// connections; request handlers run as tasks that prefer their connection's loop as executor, so a handler that
/// never suspends runs start to finish on the loop thread and one that awaits does not block the loop. Handlers
/// that compute for long must hand that work to an executor of their own (see ``BoundedExecutor``).
///
/// Every request carries a ``WorkCancellation`` with its deadline (``HTTPServerConfiguration/requestTimeout``);
/// the server cancels it, and the handler's task, when the client closes its connection (the request counts as
/// 499), when the deadline passes (the client gets 504) and when shutdown's grace period ends (503).
public final class HTTPServer: Sendable {
    /// Loop threads get the usual 8 MiB main-thread stack; handlers run synchronously on them between waits.
    static let loopThreadStackSize = 8 * 1024 * 1024

    private enum Lifecycle {
        case idle
        case running([HTTPEventLoop])
        case stopped
    }

    public let configuration: HTTPServerConfiguration
    private let responder: any HTTPResponder
    private let observer: (any HTTPServerObserver)?
    private let lifecycle = Guarded(Lifecycle.idle)
    private let draining = Atomic<Bool>(false)

    public init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder,
        observer: (any HTTPServerObserver)? = nil
    ) {
        self.configuration = configuration
        self.responder = responder
        self.observer = observer
    }

    /// Binds and starts the event loops; returns the bound port (useful when the configured port is 0).
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        try lifecycle.withLock { (state) throws(HTTPServerError) -> Int in
            guard case .idle = state else { throw .alreadyStarted }
            let (listeners, port) = try ListeningSockets.open(
                host: configuration.host, port: configuration.port, count: configuration.eventLoopCount,
                backlog: configuration.backlog)
            var loops: [HTTPEventLoop] = []
            let slots = ConnectionSlots(limit: configuration.maxConnections)
            do throws(HTTPServerError) {
                for (index, listener) in listeners.enumerated() {
                    loops.append(
                        try HTTPEventLoop(
                            index: index, listener: listener, configuration: configuration, responder: responder,
                            observer: observer, slots: slots))
                }
            } catch {
                for listener in listeners.dropFirst(loops.count) { close(listener) }
                throw error
            }
            for loop in loops {
                let thread = Thread {
                    // Named from inside through pthread: Foundation on Linux may drop a name set on the Thread.
                    assay_set_thread_name("http-loop-\(loop.index)")
                    loop.run()
                }
                thread.stackSize = Self.loopThreadStackSize
                thread.start()
            }
            state = .running(loops)
            return port
        }
    }

    /// True once shutdown has begun; readiness checks should then report 503.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Stops accepting, closes idle keep-alive connections, lets in-flight requests finish (their responses carry
    /// `Connection: close`) and returns when all connections are closed or `gracePeriod` has passed, whichever is
    /// first. Safe to call more than once; later calls wait for the same shutdown.
    public func shutdown(gracePeriod: Duration) async {
        draining.store(true, ordering: .releasing)
        let loops = lifecycle.withLock { state -> [HTTPEventLoop] in
            switch state {
            case .idle:
                state = .stopped
                return []
            case .running(let loops): return loops
            case .stopped: return []
            }
        }
        for loop in loops { loop.execute { loop.beginDraining(grace: gracePeriod) } }
        for loop in loops { await loop.waitUntilStopped() }
    }
}
