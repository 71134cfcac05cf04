/// Keeps an ``ObjectCache`` current from a ``Watcher`` and passes each event on, so that an
/// operator reacts to changes while reading the full picture from the cache.
public struct Reflector: Sendable {
    public let watcher: Watcher
    public let cache: ObjectCache

    public init(watcher: Watcher, cache: ObjectCache = ObjectCache()) {
        self.watcher = watcher
        self.cache = cache
    }

    /// Runs until the calling task is cancelled (then returns) or `onEvent` throws. The cache is
    /// updated before `onEvent` sees the event; an object a relist no longer has reaches `onEvent` as
    /// the cache last held it.
    public func run(onEvent: @Sendable (WatcherEvent) async throws -> Void = { _ in }) async throws {
        try await watcher.run { event in
            var event = event
            // A relist's deletion names only the key: what the cache held of the object goes on
            // instead, so a consumer still finds its owner references.
            if case .deleted(let object) = event, object.resourceVersion == nil, let cached = cache.get(object.key) {
                event = .deleted(cached)
            }
            cache.apply(event)
            try await onEvent(event)
        }
    }
}
