import AssayCore
import Dispatch
import Synchronization

/// A small pool of Redis connections with an async API.
///
/// hiredis blocks, so each connection lives on its own serial dispatch queue (Dispatch's threads,
/// not Swift's cooperative pool) and callers wait on a continuation. Commands that arrive while a
/// connection is busy queue up and go out together as one pipeline, so many concurrent callers
/// share round trips. A connection error fails the commands in flight on that connection and the
/// next command reconnects.
public final class RedisClient: Sendable {
    public struct Configuration: Sendable {
        /// Two connections per core of a typical evaluator pod (2 cores): enough to overlap round
        /// trips, few enough that a fleet of pods stays far below Redis's default `maxclients`
        /// (10,000).
        public static let defaultConnections = 4
        /// A connect to a same-cluster Redis takes well under a millisecond; one second marks it as
        /// down quickly instead of holding callers (hiredis has no default: it would block forever).
        public static let defaultConnectTimeout = Duration.seconds(1)
        /// Our commands are O(1) scripts answering in microseconds; a second without a reply means
        /// Redis is blocked or gone.
        public static let defaultCommandTimeout = Duration.seconds(1)
        /// Upper bound of commands written in one pipeline, to bound the reply buffer.
        public static let defaultMaxPipeline = 256

        public var url: RedisURL
        public var connections: Int
        public var connectTimeout: Duration
        public var commandTimeout: Duration
        public var maxPipeline: Int

        public init(
            url: RedisURL, connections: Int = defaultConnections,
            connectTimeout: Duration = defaultConnectTimeout, commandTimeout: Duration = defaultCommandTimeout,
            maxPipeline: Int = defaultMaxPipeline
        ) {
            self.url = url
            self.connections = max(1, connections)
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.maxPipeline = max(1, maxPipeline)
        }
    }

    public let configuration: Configuration
    private let workers: [ConnectionWorker]
    private let next = Atomic<Int>(0)

    /// Connections open lazily, on the first command each one carries.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        workers = (0..<configuration.connections).map { ConnectionWorker(index: $0, configuration: configuration) }
    }

    public convenience init(url: RedisURL) {
        self.init(Configuration(url: url))
    }

    /// Sends one command; a top-level error reply is thrown as ``RedisError/server(_:)``.
    public func send(_ command: [String]) async throws(RedisError) -> RedisValue {
        try await send(bytes: command.map { Array($0.utf8) })
    }

    public func send(bytes command: [[UInt8]]) async throws(RedisError) -> RedisValue {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let worker = workers[Int(UInt(bitPattern: index) % UInt(workers.count))]
        let result = await withCheckedContinuation { continuation in
            worker.submit(command, continuation)
        }
        let value = try result.get()
        if case .error(let message) = value { throw .server(message) }
        return value
    }

    /// Runs `script` with `EVALSHA`; when Redis answers `NOSCRIPT` (restarted, failed over, or
    /// `SCRIPT FLUSH`), loads it with `SCRIPT LOAD` and runs it again.
    public func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisValue {
        let command = ["EVALSHA", script.sha1, String(keys.count)] + keys + arguments
        do {
            return try await send(command)
        } catch .server(let message) where message.hasPrefix("NOSCRIPT") {
            let loaded = try await send(["SCRIPT", "LOAD", script.source])
            guard loaded.text == script.sha1 else {
                throw .protocolError("SCRIPT LOAD returned \(loaded), expected the script's SHA-1 \(script.sha1)")
            }
            return try await send(command)
        }
    }

    /// Fails queued commands with ``RedisError/closed`` and closes every connection once its current
    /// pipeline finishes.
    public func close() {
        for worker in workers { worker.close() }
    }
}

/// One connection and the commands waiting for it.
private final class ConnectionWorker: Sendable {
    typealias Reply = CheckedContinuation<Result<RedisValue, RedisError>, Never>

    private struct Queue {
        var pending: [(command: [[UInt8]], reply: Reply)] = []
        var draining = false
        var closed = false
    }

    private let configuration: RedisClient.Configuration
    private let dispatchQueue: DispatchQueue
    private let queue = Guarded(Queue())
    /// Touched only on `dispatchQueue`; the lock is never contended.
    private let connection = Guarded<RedisConnection?>(nil)

    init(index: Int, configuration: RedisClient.Configuration) {
        self.configuration = configuration
        dispatchQueue = DispatchQueue(label: "assay.redis.connection.\(index)")
    }

    func submit(_ command: [[UInt8]], _ reply: Reply) {
        let start = queue.withLock { queue -> Bool? in
            if queue.closed { return nil }
            queue.pending.append((command, reply))
            if queue.draining { return false }
            queue.draining = true
            return true
        }
        switch start {
        case nil: reply.resume(returning: .failure(.closed))
        case true?: dispatchQueue.async { self.drain() }
        case false?: break
        }
    }

    func close() {
        // Commands not yet written fail now; a pipeline already on the wire finishes normally.
        let orphans = queue.withLock { queue in
            queue.closed = true
            defer { queue.pending = [] }
            return queue.pending
        }
        for orphan in orphans { orphan.reply.resume(returning: .failure(.closed)) }
        dispatchQueue.async { self.connection.withLock { $0 = nil } }
    }

    /// Runs on `dispatchQueue`: sends everything queued as pipelines until the queue is empty.
    private func drain() {
        while true {
            let (batch, closed) = queue.withLock { queue in
                let batch = Array(queue.pending.prefix(configuration.maxPipeline))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return (batch, queue.closed)
            }
            if batch.isEmpty { return }
            if closed {
                for item in batch { item.reply.resume(returning: .failure(.closed)) }
                continue
            }
            let results = execute(batch.map(\.command))
            for (item, result) in zip(batch, results) { item.reply.resume(returning: result) }
        }
    }

    private func execute(_ commands: [[[UInt8]]]) -> [Result<RedisValue, RedisError>] {
        connection.withLock { connection in
            do throws(RedisError) {
                if connection == nil {
                    connection = try RedisConnection(
                        url: configuration.url, connectTimeout: configuration.connectTimeout,
                        commandTimeout: configuration.commandTimeout)
                }
                return try connection!.pipeline(commands).map { .success($0) }
            } catch {
                if error.isConnectionError || error.isProtocolError { connection = nil }
                return Array(repeating: .failure(error), count: commands.count)
            }
        }
    }
}

extension RedisError {
    fileprivate var isProtocolError: Bool {
        if case .protocolError = self { return true }
        return false
    }
}
