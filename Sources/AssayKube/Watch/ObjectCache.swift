import AssayCore

/// The operator's local copy of one resource type, kept current by a ``Watcher`` (client-go's
/// informer store; kube-rs's reflector store): objects by ``ObjectKey``, readable from any task
/// without a request to the API server.
public final class ObjectCache: Sendable {
    private struct Contents: Sendable {
        var objects: [ObjectKey: KubeObject] = [:]
        var synced = false
    }

    private let contents = Guarded(Contents())

    public init() {}

    /// Applies one watcher event.
    public func apply(_ event: WatcherEvent) {
        contents.withLock { contents in
            switch event {
            case .added(let object), .modified(let object): contents.objects[object.key] = object
            case .deleted(let object): contents.objects[object.key] = nil
            case .synced: contents.synced = true
            }
        }
    }

    /// True once the first list has been applied: until then the cache may be incomplete.
    public var isSynced: Bool { contents.withLock { $0.synced } }

    public var count: Int { contents.withLock { $0.objects.count } }

    public func get(_ key: ObjectKey) -> KubeObject? { contents.withLock { $0.objects[key] } }

    public func get(name: String, namespace: String? = nil) -> KubeObject? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Every object, ordered by key.
    public func list() -> [KubeObject] {
        contents.withLock { contents in contents.objects.keys.sorted().map { contents.objects[$0]! } }
    }

    /// The objects in `namespace` whose labels include all of `labels`.
    public func list(namespace: String?, labels: [String: String] = [:]) -> [KubeObject] {
        list().filter { object in
            (namespace == nil || object.namespace == namespace)
                && labels.allSatisfy { object.labels[$0.key] == $0.value }
        }
    }
}
