import AssayCore

/// The list-then-watch state machine behind ``Watcher``, as a pure step function:
/// `step(state, input) -> (outputs, next state)`. The driver performs the outputs (list, watch,
/// sleep) and feeds what happened back as inputs; tests feed inputs directly.
///
/// The rules, after client-go's reflector:
/// - start by listing; then watch from the list's resourceVersion;
/// - added/modified/deleted events update the known objects and the resourceVersion;
///   bookmarks move the resourceVersion only;
/// - a watch that ends normally (server timeout) is reopened at once from the last resourceVersion;
/// - 410 Gone, as the watch request's status or as an ERROR event, relists at once; the relist is
///   reconciled with the known objects, reporting those that vanished as deleted;
/// - any other failure backs off (``WatchBackoff``) and then retries what failed.
public struct WatcherState: Sendable {
    public enum Phase: Sendable, Hashable {
        case idle
        case listing
        case watching
        case backingOff(retry: Retry)
    }

    public enum Retry: Sendable, Hashable {
        case list
        case watch
    }

    public private(set) var phase: Phase = .idle
    /// Where the next watch starts: the list's resourceVersion, then the last event's or bookmark's.
    public private(set) var resourceVersion: String?
    /// The objects as last seen, for reconciling a relist.
    public private(set) var objects: [ObjectKey: KubeObject] = [:]
    public private(set) var backoff: WatchBackoff
    private var random: SplitMix64

    public init(backoff: WatchBackoff = WatchBackoff(), seed: UInt64 = 0x5EED) {
        self.backoff = backoff
        self.random = SplitMix64(seed: seed)
    }

    public enum Input: Sendable {
        case start
        case listed(items: [KubeObject], resourceVersion: String)
        /// A watch event received at `at` (the time matters only for ERROR events, which back off).
        case event(WatchEvent, at: Duration = .zero)
        /// The server closed the watch normally (its `timeoutSeconds` elapsed).
        case streamEnded
        /// The list or watch request failed at `at` on the driver's clock.
        case failed(KubeError, at: Duration)
        case backoffElapsed
    }

    public enum Output: Sendable, Hashable {
        /// List every object (paginated), then feed ``Input/listed(items:resourceVersion:)``.
        case list
        /// Close any open watch and open one from `resourceVersion`.
        case watch(resourceVersion: String)
        /// Close any open watch, wait, then feed ``Input/backoffElapsed``.
        case sleep(Duration)
        /// Hand an event to the consumer.
        case emit(WatcherEvent)
    }

    public static func step(_ state: WatcherState, _ input: Input) -> (outputs: [Output], next: WatcherState) {
        var next = state
        let outputs = next.apply(input)
        return (outputs, next)
    }

    private mutating func apply(_ input: Input) -> [Output] {
        switch (phase, input) {
        case (.idle, .start):
            phase = .listing
            return [.list]

        case (.listing, .listed(let items, let rv)):
            var outputs = reconcile(items)
            outputs.append(.emit(.synced))
            resourceVersion = rv
            phase = .watching
            outputs.append(.watch(resourceVersion: rv))
            return outputs

        case (.watching, .event(let event, let now)):
            return receive(event, at: now)

        case (.watching, .streamEnded):
            guard let resourceVersion else { return relist() }
            return [.watch(resourceVersion: resourceVersion)]

        case (.watching, .failed(let error, let now)):
            if error.isGone { return relist() }
            return backOff(at: now, retry: .watch)

        case (.listing, .failed(_, let now)):
            return backOff(at: now, retry: .list)

        case (.backingOff(let retry), .backoffElapsed):
            if retry == .watch, let resourceVersion {
                phase = .watching
                return [.watch(resourceVersion: resourceVersion)]
            }
            return relist()

        default:
            // Inputs that do not belong to the current phase (a late event after a relist began)
            // change nothing.
            return []
        }
    }

    private mutating func receive(_ event: WatchEvent, at now: Duration) -> [Output] {
        switch event {
        case .added(let object), .modified(let object):
            let existed = objects[object.key] != nil
            objects[object.key] = object
            if let rv = object.resourceVersion { resourceVersion = rv }
            return [.emit(existed ? .modified(object) : .added(object))]
        case .deleted(let object):
            objects[object.key] = nil
            if let rv = object.resourceVersion { resourceVersion = rv }
            return [.emit(.deleted(object))]
        case .bookmark(let rv):
            resourceVersion = rv
            return []
        case .error(let status):
            if KubeError.api(status).isGone { return relist() }
            // Other ERROR events end the watch like a failed request, and back off the same way.
            return backOff(at: now, retry: .watch)
        }
    }

    private mutating func relist() -> [Output] {
        phase = .listing
        resourceVersion = nil
        return [.list]
    }

    private mutating func backOff(at now: Duration, retry: Retry) -> [Output] {
        phase = .backingOff(retry: retry)
        return [.sleep(backoff.next(at: now, random: random.unit()))]
    }

    /// Replaces the known objects with a fresh list, reporting what changed: new objects as added,
    /// changed resourceVersions as modified, and objects missing from the list as deleted.
    private mutating func reconcile(_ items: [KubeObject]) -> [Output] {
        var fresh: [ObjectKey: KubeObject] = [:]
        var outputs: [Output] = []
        for item in items {
            fresh[item.key] = item
            if let old = objects[item.key] {
                if old != item { outputs.append(.emit(.modified(item))) }
            } else {
                outputs.append(.emit(.added(item)))
            }
        }
        for key in objects.keys.sorted() where fresh[key] == nil {
            outputs.append(.emit(.deleted(objects[key]!)))
        }
        objects = fresh
        return outputs
    }
}
