import AssayCore

/// Settings of a ``Watcher``.
public struct WatcherConfiguration: Sendable {
    /// kube-rs's default watch timeout: 290 s, under the 295 s idle timeout of common cloud load
    /// balancers, so the server (not a middlebox) ends quiet watches.
    public static let defaultTimeoutSeconds = 290
    /// client-go's pager: 500 objects per list page.
    public static let defaultPageSize = 500

    public var labelSelector: String?
    public var fieldSelector: String?
    public var timeoutSeconds: Int
    public var pageSize: Int
    /// Waits after failed lists and watches (``WatcherMachine/defaultBackoff``).
    public var backoff: Backoff
    /// Quiet time after which the backoff starts over (``WatcherMachine/defaultBackoffReset``).
    public var backoffReset: Duration
    /// Seeds the jitter; any value will do outside tests.
    public var seed: UInt64

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, timeoutSeconds: Int = defaultTimeoutSeconds,
        pageSize: Int = defaultPageSize, backoff: Backoff = WatcherMachine.defaultBackoff,
        backoffReset: Duration = WatcherMachine.defaultBackoffReset, seed: UInt64 = .random(in: 0...(.max))
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.timeoutSeconds = timeoutSeconds
        self.pageSize = pageSize
        self.backoff = backoff
        self.backoffReset = backoffReset
        self.seed = seed
    }
}

/// Follows one resource type: lists, then watches, relisting and backing off as
/// ``WatcherMachine`` decides, and hands every change to the caller.
public struct Watcher: Sendable {
    public let client: KubeClient
    public let kind: ResourceKind
    /// `nil` watches all namespaces.
    public let namespace: String?
    public let configuration: WatcherConfiguration
    private let clock: any MonotonicClock
    private let logger: Logger?

    public init(
        client: KubeClient, kind: ResourceKind, namespace: String? = nil,
        configuration: WatcherConfiguration = WatcherConfiguration(), clock: any MonotonicClock = SystemClock(),
        logger: Logger? = nil
    ) {
        self.client = client
        self.kind = kind
        self.namespace = namespace
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Runs until the calling task is cancelled (then returns) or `onEvent` throws (then rethrows).
    /// API and network failures never end it: they are retried with backoff.
    public func run(onEvent: @Sendable (WatcherEvent) async throws -> Void) async throws {
        var driver = Driver(
            machine: WatcherMachine(backoff: configuration.backoff, backoffReset: configuration.backoffReset),
            random: SplitMix64(seed: configuration.seed))
        var action = try await driver.feed(.start, onEvent)
        while let current = action, !Task.isCancelled {
            switch current {
            case .list:
                let listed = await list(&driver.random)
                action = try await driver.feed(listed, onEvent)
            case .watch(let resourceVersion):
                action = try await watch(from: resourceVersion, &driver, onEvent)
            case .sleep(let delay):
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    return
                }
                action = try await driver.feed(.backoffElapsed, onEvent)
            case .emit:
                action = nil
            }
        }
    }

    /// ``run(onEvent:)`` as a stream; ending the iteration stops the watcher.
    public func events() -> AsyncThrowingStream<WatcherEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatcherEvent.self)
        let task = Task { [self] in
            do {
                try await run { event in continuation.yield(event) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// The machine, its state and the jitter's random numbers.
    private struct Driver {
        let machine: WatcherMachine
        var state: WatcherMachine.State = .idle
        var random: SplitMix64

        /// Steps the machine, delivers its events, and returns the next request to make.
        mutating func feed(_ event: WatcherMachine.Event, _ onEvent: (WatcherEvent) async throws -> Void)
            async throws -> WatcherMachine.Effect?
        {
            let effects = machine.step(&state, event)
            var action: WatcherMachine.Effect?
            for effect in effects {
                if case .emit(let event) = effect {
                    try await onEvent(event)
                } else {
                    action = effect
                }
            }
            return action
        }
    }

    private func list(_ random: inout SplitMix64) async -> WatcherMachine.Event {
        do {
            let list = try await client.listAll(
                kind, namespace: namespace,
                options: ListOptions(
                    labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector),
                pageSize: configuration.pageSize)
            return .listed(items: list.items, resourceVersion: list.resourceVersion)
        } catch {
            logger?.warning("list failed; backing off", ["resource": kind.description, "error": error.description])
            return .failed(error, at: clock.now, jitter: random.unit())
        }
    }

    /// Reads one watch until the state machine asks for something else or the stream ends.
    private func watch(
        from resourceVersion: String, _ driver: inout Driver, _ onEvent: (WatcherEvent) async throws -> Void
    ) async throws -> WatcherMachine.Effect? {
        let events: AsyncThrowingStream<WatchEvent, any Error>
        do {
            events = try await client.watch(
                kind, namespace: namespace, resourceVersion: resourceVersion,
                options: ListOptions(
                    labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector),
                timeoutSeconds: configuration.timeoutSeconds)
        } catch {
            if case .cancelled = error { return nil }
            logger?.warning("watch failed", ["resource": kind.description, "error": error.description])
            return try await driver.feed(.failed(error, at: clock.now, jitter: driver.random.unit()), onEvent)
        }
        do {
            for try await event in events {
                // Leaving the loop drops the stream, which aborts the transfer.
                let received = WatcherMachine.Event.received(event, at: clock.now, jitter: driver.random.unit())
                if let action = try await driver.feed(received, onEvent) { return action }
            }
        } catch let error as KubeError {
            if Task.isCancelled { return nil }
            logger?.warning("watch broke", ["resource": kind.description, "error": error.description])
            return try await driver.feed(.failed(error, at: clock.now, jitter: driver.random.unit()), onEvent)
        }
        if Task.isCancelled { return nil }
        return try await driver.feed(.streamEnded, onEvent)
    }
}
