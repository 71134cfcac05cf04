import AssayCore

/// The list-then-watch state machine behind ``Watcher``, after client-go's reflector (and kube-rs's
/// watcher):
/// - start by listing; then watch from the list's resourceVersion;
/// - added/modified/deleted events update the known objects (their resourceVersions: the consumer
///   keeps the objects themselves) and the resourceVersion;
///   bookmarks move the resourceVersion only;
/// - a watch that ends normally (server timeout) is reopened at once from the last resourceVersion;
/// - 410 Gone, as the watch request's status or as an ERROR event, relists at once; the relist is
///   reconciled with the known objects, reporting those that vanished as deleted;
/// - any other failure backs off and then retries what failed.
///
/// ```
/// idle ──start──▶ listing ──listed──▶ watching ──event / bookmark──▶ watching
///                    ▲  │                │ ──stream ended──▶ watching (re-watch)
///                    │  └─failed─▶ backingOff(list) ──elapsed──▶ listing
///                    └──────────── 410 Gone ◀─┤
///                                             └─failed / ERROR──▶ backingOff(watch) ──elapsed──▶ watching
/// ```
public struct WatcherMachine: StateMachine {
    /// client-go's reflector: 800 ms doubling to 30 s, jitter 1.0 (a delay of d becomes d plus up
    /// to another d).
    public static let defaultBackoff = try! Backoff(
        base: .milliseconds(800), cap: .seconds(30), jitter: .proportional(1.0))
    /// client-go's reflector: the backoff resets after 2 minutes without a failure.
    public static let defaultBackoffReset: Duration = .seconds(120)

    /// What every state but `idle` remembers.
    public struct Memory: Sendable, Equatable {
        /// Where the next watch starts: the list's resourceVersion, then the last event's or bookmark's.
        public var resourceVersion: String?
        /// Each object as last seen, for reconciling a relist.
        public var objects: [ObjectKey: KnownObject] = [:]
        public var failures: BackoffCounter
    }

    public enum Retry: Sendable, Hashable {
        case list
        case watch
    }

    public enum State: Sendable, Equatable {
        case idle
        /// A list is in flight.
        case listing(Memory)
        /// A watch is open from `memory.resourceVersion`.
        case watching(Memory)
        /// Waiting out a failure before retrying `retry`.
        case backingOff(Memory, retry: Retry)

        public var memory: Memory? {
            switch self {
            case .idle: nil
            case .listing(let memory), .watching(let memory), .backingOff(let memory, _): memory
            }
        }
    }

    public enum Event: Sendable {
        case start
        case listed(items: [KubeObject], resourceVersion: String)
        /// A watch event received at `at`; an ERROR event backs off with the `jitter` sample in `[0, 1)`.
        case received(WatchEvent, at: ContinuousClock.Instant, jitter: Double)
        /// The server closed the watch normally (its `timeoutSeconds` elapsed).
        case streamEnded
        /// The list or watch request failed at `at`.
        case failed(KubeError, at: ContinuousClock.Instant, jitter: Double)
        case backoffElapsed
    }

    public enum Effect: Sendable, Hashable {
        /// List every object (paginated), then feed ``Event/listed(items:resourceVersion:)``.
        case list
        /// Close any open watch and open one from `resourceVersion`.
        case watch(resourceVersion: String)
        /// Close any open watch, wait, then feed ``Event/backoffElapsed``.
        case sleep(Duration)
        /// Hand an event to the consumer.
        case emit(WatcherEvent)
    }

    public let backoff: Backoff
    public let backoffReset: Duration

    public init(backoff: Backoff = defaultBackoff, backoffReset: Duration = defaultBackoffReset) {
        self.backoff = backoff
        self.backoffReset = backoffReset
    }

    public var initial: State { .idle }

    public func transition(_ state: State, _ event: Event) -> (state: State, effects: [Effect]) {
        switch (state, event) {
        case (.idle, .start):
            return (.listing(Memory(failures: BackoffCounter(backoff, resetAfter: backoffReset))), [.list])

        case (.listing(var memory), .listed(let items, let rv)):
            var effects = Self.reconcile(&memory.objects, with: items)
            effects.append(.emit(.synced))
            memory.resourceVersion = rv
            effects.append(.watch(resourceVersion: rv))
            return (.watching(memory), effects)

        case (.watching(var memory), .received(let event, let now, let jitter)):
            return receive(event, &memory, at: now, jitter: jitter)

        case (.watching(let memory), .streamEnded):
            guard let resourceVersion = memory.resourceVersion else { return Self.relist(memory) }
            return (state, [.watch(resourceVersion: resourceVersion)])

        case (.watching(let memory), .failed(let error, let now, let jitter)):
            if error.isGone { return Self.relist(memory) }
            return Self.backOff(memory, retry: .watch, at: now, jitter: jitter)

        case (.listing(let memory), .failed(_, let now, let jitter)):
            return Self.backOff(memory, retry: .list, at: now, jitter: jitter)

        case (.backingOff(let memory, let retry), .backoffElapsed):
            if retry == .watch, let resourceVersion = memory.resourceVersion {
                return (.watching(memory), [.watch(resourceVersion: resourceVersion)])
            }
            return Self.relist(memory)

        default:
            // Events that do not belong to the current state (a late event after a relist began)
            // change nothing.
            return (state, [])
        }
    }

    /// ``transition(_:_:)`` on the state the caller owns. A watch event, the common case, updates
    /// the known objects in place: through `transition` each event copied all of them, so a
    /// watcher's CPU per event grew with the objects it knows.
    public func step(_ state: inout State, _ event: Event) -> [Effect] {
        guard case .watching(var memory) = state, case .received(let received, let now, let jitter) = event else {
            let (next, effects) = transition(state, event)
            state = next
            return effects
        }
        state = .idle  // `memory` now holds the only reference to the known objects
        let (next, effects) = receive(received, &memory, at: now, jitter: jitter)
        state = next
        return effects
    }

    private func receive(
        _ event: WatchEvent, _ memory: inout Memory, at now: ContinuousClock.Instant, jitter: Double
    ) -> (state: State, effects: [Effect]) {
        switch event {
        case .added(let object), .modified(let object):
            let existed = memory.objects[object.key] != nil
            memory.objects[object.key] = KnownObject(object)
            if let rv = object.resourceVersion { memory.resourceVersion = rv }
            return (.watching(memory), [.emit(existed ? .modified(object) : .added(object))])
        case .deleted(let object):
            memory.objects[object.key] = nil
            if let rv = object.resourceVersion { memory.resourceVersion = rv }
            return (.watching(memory), [.emit(.deleted(object))])
        case .bookmark(let rv):
            memory.resourceVersion = rv
            return (.watching(memory), [])
        case .error(let status):
            if KubeError.api(status).isGone { return Self.relist(memory) }
            // Other ERROR events end the watch like a failed request, and back off the same way.
            return Self.backOff(memory, retry: .watch, at: now, jitter: jitter)
        }
    }

    private static func relist(_ memory: Memory) -> (state: State, effects: [Effect]) {
        var memory = memory
        memory.resourceVersion = nil
        return (.listing(memory), [.list])
    }

    private static func backOff(_ memory: Memory, retry: Retry, at now: ContinuousClock.Instant, jitter: Double)
        -> (state: State, effects: [Effect])
    {
        var memory = memory
        let delay = memory.failures.next(at: now, random: jitter)
        return (.backingOff(memory, retry: retry), [.sleep(delay)])
    }

    /// Replaces the known objects with a fresh list, reporting what changed: new objects as added,
    /// changed resourceVersions as modified, and objects missing from the list as deleted (by their
    /// key, all that is left of them).
    private static func reconcile(_ objects: inout [ObjectKey: KnownObject], with items: [KubeObject]) -> [Effect] {
        var fresh: [ObjectKey: KnownObject] = [:]
        var effects: [Effect] = []
        for item in items {
            fresh[item.key] = KnownObject(item)
            if let old = objects[item.key] {
                if old.resourceVersion != item.resourceVersion { effects.append(.emit(.modified(item))) }
            } else {
                effects.append(.emit(.added(item)))
            }
        }
        for key in objects.keys.sorted() where fresh[key] == nil {
            effects.append(.emit(.deleted(KubeObject(deletedKey: key))))
        }
        objects = fresh
        return effects
    }
}

/// What a watcher keeps of an object it has seen: its resourceVersion, to tell a relist's changed
/// objects. Nothing else: the consumer keeps the objects (an ``ObjectCache``), and a watcher keeps one
/// of these for every object it follows. An object a relist no longer has is reported deleted as
/// ``KubeObject/init(deletedKey:)``, its name and namespace; a ``Reflector`` hands on its cached copy.
public struct KnownObject: Sendable, Hashable {
    public let resourceVersion: String?

    public init(_ object: KubeObject) {
        resourceVersion = object.resourceVersion
    }
}

extension KubeObject {
    /// What a relist reports of an object it no longer has: its name and namespace, and no
    /// resourceVersion (a watch's own deletions carry the whole object at its last version).
    public init(deletedKey key: ObjectKey) {
        var metadata = JSONObject()
        metadata["name"] = .string(key.name)
        if let namespace = key.namespace { metadata["namespace"] = .string(namespace) }
        self.init(.object(JSONObject([("metadata", .object(metadata))])))
    }
}
