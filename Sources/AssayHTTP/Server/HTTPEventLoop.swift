import AssayCore
import CSystem
import Glibc
import Synchronization

/// One event-loop thread: an epoll instance with its own listening socket and connections, and a Swift
/// `TaskExecutor` so request handlers started with it as their preference run on this thread between epoll waits.
///
/// Thread confinement: everything not behind `shared` or an atomic is touched only on the loop thread (the
/// `@unchecked Sendable` is for that); other threads talk to the loop through `enqueue` and `execute`, which wake
/// it through an eventfd.
final class HTTPEventLoop: TaskExecutor, @unchecked Sendable {
    /// Events fetched per epoll_wait; more are picked up by the next wait.
    static let maxEventsPerWait = 256
    /// Per-loop read buffer: 128 KiB keeps a 1 MB body to 8 reads while staying cheap per thread.
    static let readBufferSize = 128 * 1024
    /// Connections accepted per readiness event before giving other work a turn (the listener is level-triggered).
    static let acceptBatch = 64
    /// After EMFILE/ENFILE, accepting pauses this long instead of spinning on a listener that stays readable.
    static let acceptPauseNanoseconds: UInt64 = 100_000_000
    /// How long a closing connection may linger discarding input: nginx's lingering_timeout (5 s).
    static let lingerNanoseconds: UInt64 = 5_000_000_000
    /// At the connection cap, a connection whose request head has been arriving for this long may be closed to
    /// make room: clients send their head at once, so one still incomplete after a second is slow or silent.
    static let evictableHeadNanoseconds: UInt64 = 1_000_000_000

    static let listenerTag = UInt64.max
    static let wakeTag = UInt64.max - 1

    private struct Shared {
        var jobs: [UnownedJob] = []
        var actions: [@Sendable () -> Void] = []
        var wakePending = false
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let index: Int
    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let observer: (any HTTPServerObserver)?
    let slots: ConnectionSlots
    private let shared = Guarded(Shared())
    private let loopThread = Atomic<UInt>(0)
    /// Set when `shared` gained work, so the loop takes the lock only when there is something to take.
    private let hasRemoteWork = Atomic<Bool>(false)
    private let epoll: Int32
    private let wake: Int32

    // Loop-thread state.
    private var listener: Int32
    private var localJobs: [UnownedJob] = []
    var connections: [HTTPConnection?] = []
    var connectionCount = 0
    private var nextSerial: UInt64 = 1
    private(set) var now: UInt64 = 0
    private var nextTick: UInt64 = 0
    private let tickNanoseconds: UInt64
    private var acceptPausedUntil: UInt64 = 0
    var draining = false
    private var drainDeadline: UInt64 = 0
    private var running = true
    let readBuffer: UnsafeMutableRawBufferPointer
    var headBuffer: [UInt8] = []
    var date = DateHeaderCache()

    init(
        index: Int, listener: Int32, configuration: HTTPServerConfiguration, responder: any HTTPResponder,
        observer: (any HTTPServerObserver)?, slots: ConnectionSlots
    ) throws(HTTPServerError) {
        self.index = index
        self.listener = listener
        self.configuration = configuration
        self.responder = responder
        self.observer = observer
        self.slots = slots
        epoll = assay_epoll_create()
        guard epoll >= 0 else { throw .systemCall(name: "epoll_create1", errno: errno) }
        wake = assay_eventfd()
        guard wake >= 0 else {
            Glibc.close(epoll)
            throw .systemCall(name: "eventfd", errno: errno)
        }
        let shortest =
            [
                configuration.headerTimeout, configuration.bodyTimeout, configuration.idleTimeout,
                configuration.writeTimeout,
            ].map(\.nanoseconds).min() ?? 1_000_000_000
        // Timeouts are checked by a periodic sweep at a quarter of the shortest one, between 5 ms and 250 ms.
        tickNanoseconds = min(max(shortest / 4, 5_000_000), 250_000_000)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        headBuffer.reserveCapacity(512)
        _ = assay_epoll_ctl(epoll, ASSAY_EPOLL_CTL_ADD, wake, ASSAY_EPOLLIN, Self.wakeTag)
        _ = assay_epoll_ctl(epoll, ASSAY_EPOLL_CTL_ADD, listener, ASSAY_EPOLLIN, Self.listenerTag)
    }

    deinit {
        readBuffer.deallocate()
        Glibc.close(epoll)
        Glibc.close(wake)
        if listener >= 0 { Glibc.close(listener) }
    }

    // MARK: Executor

    var isOnLoopThread: Bool {
        loopThread.load(ordering: .relaxed) == UInt(pthread_self())
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isOnLoopThread {
            localJobs.append(job)
            return
        }
        let (wakeUp, stopped) = shared.withLock { state in
            if state.stopped { return (false, true) }
            state.jobs.append(job)
            defer { state.wakePending = true }
            return (!state.wakePending, false)
        }
        hasRemoteWork.store(true, ordering: .releasing)
        if stopped {
            // The loop has exited (after shutdown's grace period): let the task finish on the global executor.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        } else if wakeUp {
            _ = assay_eventfd_signal(wake)
        }
    }

    /// Runs `action` on the loop thread (dropped if the loop has stopped).
    func execute(_ action: @escaping @Sendable () -> Void) {
        let wakeUp = shared.withLock { state -> Bool in
            if state.stopped { return false }
            state.actions.append(action)
            defer { state.wakePending = true }
            return !state.wakePending
        }
        hasRemoteWork.store(true, ordering: .releasing)
        if wakeUp { _ = assay_eventfd_signal(wake) }
    }

    /// Returns once the loop thread has exited.
    func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let alreadyStopped = shared.withLock { state in
                if !state.stopped { state.stopWaiters.append(continuation) }
                return state.stopped
            }
            if alreadyStopped { continuation.resume() }
        }
    }

    // MARK: Loop

    /// The thread body: waits for socket events, runs jobs, sweeps timeouts, until drained or stopped.
    func run() {
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Self.maxEventsPerWait)
        defer { events.deallocate() }
        now = assay_monotonic_ns()
        nextTick = now + tickNanoseconds
        date.refresh()
        while running {
            let timeout: Int32
            if !localJobs.isEmpty {
                timeout = 0
            } else {
                let wait = nextTick > now ? (nextTick - now + 999_999) / 1_000_000 : 0
                timeout = Int32(min(wait, 1000))
            }
            let count = assay_epoll_wait(epoll, events, Int32(Self.maxEventsPerWait), timeout)
            now = assay_monotonic_ns()
            date.refresh()
            if count > 0 {
                for slot in 0..<Int(count) {
                    let event = events[slot]
                    handle(tag: event.data.u64, events: event.events)
                }
            }
            runRemoteWork()
            runLocalJobs()
            if now >= nextTick {
                nextTick = now + tickNanoseconds
                sweepTimeouts()
            }
        }
        finish()
    }

    private func handle(tag: UInt64, events: UInt32) {
        switch tag {
        case Self.wakeTag:
            _ = assay_eventfd_drain(wake)
        case Self.listenerTag:
            acceptConnections()
        default:
            let descriptor = Int(tag)
            guard descriptor < connections.count, let connection = connections[descriptor] else { return }
            if connection.phase == .processing, events & (ASSAY_EPOLLRDHUP | ASSAY_EPOLLERR | ASSAY_EPOLLHUP) != 0 {
                // The client closed or reset its side while its request was being handled: no one will read
                // the answer, so the work stops. (A FIN that came with the request itself arrived before
                // dispatch, in an earlier event: such a half-closing client still gets its answer.)
                abandon(connection)
                return
            }
            if events & (ASSAY_EPOLLOUT | ASSAY_EPOLLERR | ASSAY_EPOLLHUP) != 0, connection.phase == .writing {
                flush(connection)
            }
            if events & (ASSAY_EPOLLIN | ASSAY_EPOLLRDHUP | ASSAY_EPOLLERR | ASSAY_EPOLLHUP) != 0 {
                connection.mayRead = true
                if connections[descriptor] === connection { readAndParse(connection) }
            }
        }
    }

    private func runRemoteWork() {
        guard hasRemoteWork.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let (jobs, actions) = shared.withLock { state in
            state.wakePending = false
            defer {
                state.jobs.removeAll(keepingCapacity: true)
                state.actions.removeAll(keepingCapacity: true)
            }
            return (state.jobs, state.actions)
        }
        for action in actions { action() }
        localJobs.append(contentsOf: jobs)
    }

    private func runLocalJobs() {
        // Jobs enqueued while these run wait for the next turn, so sockets are not starved.
        let batch = localJobs
        localJobs.removeAll(keepingCapacity: true)
        let executor = asUnownedTaskExecutor()
        for job in batch { job.runSynchronously(on: executor) }
    }

    private func acceptConnections() {
        guard listener >= 0, now >= acceptPausedUntil else { return }
        for _ in 0..<Self.acceptBatch {
            let descriptor = assay_accept4(listener, nil, nil, ASSAY_SOCK_NONBLOCK | ASSAY_SOCK_CLOEXEC)
            if descriptor < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    acceptPausedUntil = now + Self.acceptPauseNanoseconds
                    _ = assay_epoll_ctl(epoll, ASSAY_EPOLL_CTL_DEL, listener, 0, 0)
                    return
                default: return
                }
            }
            guard slots.take() || evictForNewConnection() else {
                // At the cap: closed at once, so a flood of connections cannot exhaust descriptors or memory.
                observer?.connectionRejected()
                Glibc.close(descriptor)
                continue
            }
            _ = assay_set_int_sockopt(descriptor, Int32(IPPROTO_TCP), ASSAY_TCP_NODELAY, 1)
            let connection = HTTPConnection(
                descriptor: descriptor, serial: nextSerial, limits: configuration.parserLimits,
                deadline: now + configuration.headerTimeout.nanoseconds)
            nextSerial += 1
            let slot = Int(descriptor)
            if slot >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: slot - connections.count + 1))
            }
            connections[slot] = connection
            connectionCount += 1
            let interest = ASSAY_EPOLLIN | ASSAY_EPOLLOUT | ASSAY_EPOLLRDHUP | ASSAY_EPOLLET
            if assay_epoll_ctl(epoll, ASSAY_EPOLL_CTL_ADD, descriptor, interest, UInt64(descriptor)) != 0 {
                close(connection)
                continue
            }
            // Data often arrives with the connection; try reading straight away.
            readAndParse(connection)
        }
    }

    /// Closes a connection and forgets it; the loop stops once drained and empty.
    func close(_ connection: HTTPConnection) {
        let slot = Int(connection.descriptor)
        if slot < connections.count, connections[slot] === connection {
            connections[slot] = nil
            connectionCount -= 1
            slots.give()
        }
        // Closed while its handler runs (shutdown, a write error): the work is no longer wanted.
        if connection.cancellation != nil { stopHandler(connection, .shutdown) }
        connection.close()
        if draining, connectionCount == 0 { running = false }
    }

    private func sweepTimeouts() {
        if listener >= 0, acceptPausedUntil != 0, now >= acceptPausedUntil {
            acceptPausedUntil = 0
            _ = assay_epoll_ctl(epoll, ASSAY_EPOLL_CTL_ADD, listener, ASSAY_EPOLLIN, Self.listenerTag)
        }
        if draining, now >= drainDeadline {
            // The grace period is over: what still runs is cancelled, its client told why, and the loop stops.
            for case let connection? in connections where connection.phase == .processing {
                stopHandler(connection, .shutdown)
                fail(
                    connection, status: 503,
                    detail: "the server shut down before the request completed (its shutdown grace period ended)")
            }
            for case let connection? in connections { close(connection) }
            running = false
            return
        }
        for case let connection? in connections where connection.deadline != 0 && now >= connection.deadline {
            timedOut(connection)
        }
    }

    /// Makes room at the connection cap by closing one connection of this loop and taking its slot: an idle
    /// keep-alive one, or else the one whose head has been arriving longest, if for over a second. So a flood of
    /// silent or trickling connections cannot lock out clients that send their requests (health probes included).
    private func evictForNewConnection() -> Bool {
        var slowest: HTTPConnection?
        for case let connection? in connections {
            if connection.phase == .idle {
                slowest = connection
                break
            }
            // In the head phase the deadline is the head's start plus the header timeout.
            if connection.phase == .head,
                connection.deadline &+ Self.evictableHeadNanoseconds
                    <= now &+ configuration.headerTimeout.nanoseconds, connection.deadline < slowest?.deadline ?? .max
            {
                slowest = connection
            }
        }
        guard let slowest else { return false }
        close(slowest)
        return slots.take()
    }

    // MARK: Draining

    /// Stops accepting, closes idle connections and lets in-flight requests finish until `grace` has passed.
    func beginDraining(grace: Duration) {
        guard !draining else { return }
        draining = true
        drainDeadline = now + grace.nanoseconds
        if listener >= 0 {
            _ = assay_epoll_ctl(epoll, ASSAY_EPOLL_CTL_DEL, listener, 0, 0)
            Glibc.close(listener)
            listener = -1
        }
        for case let connection? in connections
        where connection.phase == .idle || (connection.phase == .head && !connection.parser.hasPartialRequest) {
            close(connection)
        }
        if connectionCount == 0 { running = false }
        nextTick = min(nextTick, drainDeadline)
    }

    private func finish() {
        for case let connection? in connections { close(connection) }
        loopThread.store(0, ordering: .relaxed)
        let (jobs, waiters) = shared.withLock { state in
            state.stopped = true
            defer {
                state.jobs.removeAll()
                state.actions.removeAll()
                state.stopWaiters.removeAll()
            }
            return (state.jobs, state.stopWaiters)
        }
        // Handlers still running past the grace period finish on the global executor; their responses are dropped.
        for job in localJobs + jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        localJobs.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
