import AssayCore

/// The operator's local copy of one resource type, kept current by a ``Watcher`` (client-go's
/// informer store; kube-rs's reflector store): objects by ``ObjectKey``, readable from any task
/// without a request to the API server.
///
/// It keeps each object as compact JSON text (after `projection`, which drops what its reader never
/// looks at) beside its uid and resourceVersion, and parses the text again when the object is read.
/// A parsed tree costs several times its text (every JSON object holds a hash table and an array of
/// its keys), an operator reads a cached object far less often than it keeps it, and the version
/// checks that decide whether to read it at all need no parse.
public final class ObjectCache: Sendable {
    /// What is kept of one object.
    private struct Stored: Sendable {
        var uid: String?
        var resourceVersion: String?
        var json: [UInt8]
    }

    private struct Contents: Sendable {
        var objects: [ObjectKey: Stored] = [:]
        var synced = false
    }

    private let contents = Guarded(Contents())
    private let projection: @Sendable (KubeObject) -> KubeObject

    /// `projection` trims each object before it is kept (the identity by default).
    public init(projection: @escaping @Sendable (KubeObject) -> KubeObject = { $0 }) {
        self.projection = projection
    }

    /// Applies one watcher event.
    public func apply(_ event: WatcherEvent) {
        switch event {
        case .added(let object), .modified(let object):
            let kept = projection(object)
            let stored = Stored(uid: kept.uid, resourceVersion: kept.resourceVersion, json: JSONWriter.bytes(kept.json))
            contents.withLock { $0.objects[object.key] = stored }
        case .deleted(let object):
            contents.withLock { $0.objects[object.key] = nil }
        case .synced:
            contents.withLock { $0.synced = true }
        }
    }

    /// True once the first list has been applied: until then the cache may be incomplete.
    public var isSynced: Bool { contents.withLock { $0.synced } }

    public var count: Int { contents.withLock { $0.objects.count } }

    public func get(_ key: ObjectKey) -> KubeObject? {
        contents.withLock { $0.objects[key]?.json }.flatMap(Self.object)
    }

    public func get(name: String, namespace: String? = nil) -> KubeObject? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Whether an object is cached under `key`.
    public func contains(_ key: ObjectKey) -> Bool {
        contents.withLock { $0.objects[key] != nil }
    }

    /// The cached object's resourceVersion, without reading the object.
    public func resourceVersion(_ key: ObjectKey) -> String? {
        contents.withLock { $0.objects[key]?.resourceVersion }
    }

    /// Every key, ordered.
    public func keys() -> [ObjectKey] {
        contents.withLock { $0.objects.keys.sorted() }
    }

    /// The key of the object whose uid is `uid`, if one is cached.
    public func key(uid: String) -> ObjectKey? {
        contents.withLock { contents in contents.objects.first { $0.value.uid == uid }?.key }
    }

    /// Every object, ordered by key.
    public func list() -> [KubeObject] {
        let texts = contents.withLock { contents in contents.objects.keys.sorted().map { contents.objects[$0]!.json } }
        return texts.compactMap(Self.object)
    }

    /// The objects in `namespace` whose labels include all of `labels`.
    public func list(namespace: String?, labels: [String: String] = [:]) -> [KubeObject] {
        list().filter { object in
            (namespace == nil || object.namespace == namespace)
                && labels.allSatisfy { object.labels[$0.key] == $0.value }
        }
    }

    /// The object again from the text written from it (which always parses).
    private static func object(_ json: [UInt8]) -> KubeObject? {
        (try? JSONParser.parse(json)).map(KubeObject.init)
    }
}
