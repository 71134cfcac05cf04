import AssayCore
import Foundation

/// Options a write carries from the query string.
struct WriteOptions: Sendable {
    /// `fieldValidation=`: what to do with fields the schema does not know.
    enum FieldValidation: String, Sendable {
        case ignore = "Ignore"
        case warn = "Warn"
        case strict = "Strict"
    }

    var dryRun = false
    var fieldValidation: FieldValidation = .warn
    var fieldManager = ""
    var force = false
    /// Set for server-side apply, which records its own managed fields.
    var isApply = false
}

/// Options of a DELETE (query string or `DeletionOptions` body).
struct DeletionOptions: Sendable {
    enum Propagation: String, Sendable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }

    var propagation: Propagation? = nil
    var preconditionUID: String? = nil
    var preconditionResourceVersion: String? = nil
    var dryRun = false
}

/// Which part of an object a write addresses.
enum Subresource: String, Sendable { case status, scale }

/// What a write returns to the handler.
struct WriteResult: Sendable {
    var object: JSONValue
    var created: Bool
    var warnings: [String] = []
}

/// The emulated cluster state: objects, the resourceVersion counter, the bounded change history, the
/// served resource types, and the garbage collector that runs after every change.
///
/// Every operation runs under one lock, so a write, its watch event and its garbage-collection
/// consequences are atomic and events leave in resourceVersion order.
final class Store: Sendable {
    /// Changes kept for watches that resume from a resourceVersion. The real watch cache keeps about as
    /// many events per resource (its capacity is sized in the hundreds to low thousands); older versions
    /// get 410 Gone, as they would once etcd compacts.
    static let defaultHistoryCapacity = 1024

    struct State {
        var resourceVersion = ResourceVersion(0)
        /// Objects by resource, keyed "namespace/name" ("/name" for cluster-scoped ones).
        var objects: [GroupResource: [String: JSONValue]] = [:]
        var history: [ChangeEvent] = []
        /// Watches from a version below this get 410 Gone: their events are no longer kept.
        var compactedThrough = ResourceVersion(0)
        var historyCapacity: Int
        var registry = CRDRegistry()
        var pending: [ChangeEvent] = []
        /// Owners on the real server behind the front (``UpstreamOwners``).
        var upstreamOwners = UpstreamOwners()
        /// Dependents by owner, for the garbage collector.
        var owners = OwnerIndex()
        /// Objects the garbage collector looks at after the current write.
        var collectorQueue: Set<StoredRef> = []
        /// Objects the garbage collector has looked at since the start (a test's measure of its work).
        var collectorVisits = 0
    }

    let hub = WatchHub()
    private let state: Guarded<State>

    init(historyCapacity: Int = Store.defaultHistoryCapacity, builtinSchemas: BuiltinSchemas? = nil) {
        var initial = State(historyCapacity: historyCapacity)
        initial.registry.builtinSchemas = builtinSchemas
        for name in BuiltinResources.initialNamespaces {
            let namespace: JSONValue = [
                "kind": "Namespace", "apiVersion": "v1",
                "metadata": ["name": .string(name), "labels": ["kubernetes.io/metadata.name": .string(name)]],
                "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
            ]
            initial.insertNew(namespace, resource: GroupResource(group: "", resource: "namespaces"), namespace: "")
        }
        initial.pending.removeAll()
        initial.collectorQueue.removeAll()
        state = Guarded(initial)
    }

    // MARK: Types

    func resolve(group: String, version: String, resource: String) -> ResourceType? {
        state.withLock { $0.registry.resolve(group: group, version: version, resource: resource) }
    }

    var registry: CRDRegistry { state.withLock { $0.registry } }

    var currentResourceVersion: ResourceVersion { state.withLock { $0.resourceVersion } }

    // MARK: Reads

    func get(_ type: ResourceType, namespace: String, name: String) throws(APIError) -> JSONValue {
        try state.withLock { (state) throws(APIError) -> JSONValue in
            guard let object = state.objects[type.groupResource]?[Store.key(type, namespace, name)] else {
                throw .notFound(type.groupResource, name)
            }
            return object
        }
    }

    func list(
        _ type: ResourceType, namespace: String?, labels: LabelSelector = .everything,
        fields: FieldSelector = .everything
    ) -> (items: [JSONValue], resourceVersion: ResourceVersion) {
        let filter = WatchFilter(resource: type.groupResource, namespace: namespace, labels: labels, fields: fields)
        return state.withLock { state in
            let all = state.objects[type.groupResource] ?? [:]
            let items = all.keys.sorted().compactMap { key -> JSONValue? in
                let object = all[key]!
                return filter.matches(object) ? object : .none
            }
            return (items, state.resourceVersion)
        }
    }

    // MARK: Watches

    /// Opens a watch. With no version (or "0") the current objects come first as ADDED events; with a
    /// version, the kept changes after it are replayed, or 410 Gone when they are no longer kept.
    func watch(_ filter: WatchFilter, from version: ResourceVersion?) throws(APIError) -> (
        subscription: WatchSubscription, replay: [(type: String, object: JSONValue)]
    ) {
        try state.withLock { (state) throws(APIError) in
            var replay: [(type: String, object: JSONValue)] = []
            if let version, version.value > 0 {
                if version < state.compactedThrough {
                    throw .gone("too old resource version: \(version) (\(state.compactedThrough))")
                }
                for change in state.history where change.resourceVersion > version {
                    if let event = filter.translate(change) { replay.append(event) }
                }
            } else {
                let all = state.objects[filter.resource] ?? [:]
                for key in all.keys.sorted() where filter.matches(all[key]!) { replay.append(("ADDED", all[key]!)) }
            }
            return (hub.subscribe(filter), replay)
        }
    }

    /// Test hook: forgets the change history so every earlier resourceVersion is too old (410).
    func expireHistory() {
        state.withLock { state in
            state.history.removeAll()
            state.compactedThrough = state.resourceVersion
        }
    }

    // MARK: Writes

    func create(
        _ type: ResourceType, namespace: String, object: JSONValue, options: WriteOptions = WriteOptions()
    ) throws(APIError) -> WriteResult {
        try write(dryRun: options.dryRun) { (working) throws(APIError) -> WriteResult in
            try working.create(type, namespace: namespace, body: object, options: options)
        }
    }

    /// Read-modify-write of one object under the lock. `transform` gets the current object (nil when
    /// absent; then the result is created if `createIfMissing`) and returns the desired object.
    func write(
        _ type: ResourceType, namespace: String, name: String, subresource: Subresource? = nil,
        options: WriteOptions = WriteOptions(), createIfMissing: Bool = false,
        transform: (JSONValue?) throws(APIError) -> JSONValue
    ) throws(APIError) -> WriteResult {
        try write(dryRun: options.dryRun) { (working) throws(APIError) -> WriteResult in
            let existing = working.objects[type.groupResource]?[Store.key(type, namespace, name)]
            guard let existing else {
                guard createIfMissing, subresource == nil else { throw .notFound(type.groupResource, name) }
                var body = try transform(nil)
                if body.at(["metadata", "name"])?.stringValue == nil { body.set(["metadata", "name"], .string(name)) }
                return try working.create(type, namespace: namespace, body: body, options: options)
            }
            let proposed = try transform(existing)
            return try working.update(
                type, existing: existing, proposed: proposed, subresource: subresource, options: options)
        }
    }

    func delete(
        _ type: ResourceType, namespace: String, name: String, options: DeletionOptions = DeletionOptions()
    ) throws(APIError) -> JSONValue {
        try write(dryRun: options.dryRun) { (working) throws(APIError) -> JSONValue in
            try working.delete(type, namespace: namespace, name: name, options: options)
        }
    }

    /// Runs `change` on the state under the lock, then the collector, and publishes what changed.
    func mutate(_ change: (inout State) -> Void) {
        state.withLock { state in
            var working = state
            change(&working)
            // What such a change concerns is not traced (it is rare): the collector looks at everything.
            working.queueEverythingForCollector()
            finish(&working, into: &state)
        }
    }

    /// A value read from the state under the lock.
    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    /// Runs `change` on a copy of the state under the lock; unless `dryRun`, the copy (after the
    /// collector) becomes the state and what changed is published. A throw leaves the state as it was.
    private func write<Result>(
        dryRun: Bool, _ change: (inout State) throws(APIError) -> Result
    ) throws(APIError) -> Result {
        try state.withLock { (state) throws(APIError) -> Result in
            var working = state
            let result = try change(&working)
            if !dryRun { finish(&working, into: &state) }
            return result
        }
    }

    /// Runs the garbage collector, then publishes what the write and the collector changed.
    private func finish(_ working: inout State, into state: inout State) {
        working.collectGarbage()
        working.registry.rebuild(from: working.objects[CRDRegistry.crdResource] ?? [:])
        let changes = working.pending
        working.pending.removeAll()
        state = working
        for change in changes { hub.publish(change) }
    }

    static func key(_ type: ResourceType, _ namespace: String, _ name: String) -> String {
        type.namespaced ? "\(namespace)/\(name)" : "/\(name)"
    }
}
