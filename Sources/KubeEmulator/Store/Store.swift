import AssayCore
import Foundation
import Synchronization

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
    }

    let hub = WatchHub()
    private let state: Mutex<State>

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
        state = Mutex(initial)
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
        try state.withLock { (state) throws(APIError) -> WriteResult in
            var working = state
            let result = try working.create(type, namespace: namespace, body: object, options: options)
            if !options.dryRun { finish(&working, into: &state) }
            return result
        }
    }

    /// Read-modify-write of one object under the lock. `transform` gets the current object (nil when
    /// absent; then the result is created if `createIfMissing`) and returns the desired object.
    func write(
        _ type: ResourceType, namespace: String, name: String, subresource: Subresource? = nil,
        options: WriteOptions = WriteOptions(), createIfMissing: Bool = false,
        transform: (JSONValue?) throws(APIError) -> JSONValue
    ) throws(APIError) -> WriteResult {
        try state.withLock { (state) throws(APIError) -> WriteResult in
            var working = state
            let existing = working.objects[type.groupResource]?[Store.key(type, namespace, name)]
            guard let existing else {
                guard createIfMissing, subresource == nil else { throw .notFound(type.groupResource, name) }
                var body = try transform(nil)
                if body.at(["metadata", "name"])?.stringValue == nil { body.set(["metadata", "name"], .string(name)) }
                let result = try working.create(type, namespace: namespace, body: body, options: options)
                if !options.dryRun { finish(&working, into: &state) }
                return result
            }
            let proposed = try transform(existing)
            let result = try working.update(
                type, existing: existing, proposed: proposed, subresource: subresource, options: options)
            if !options.dryRun { finish(&working, into: &state) }
            return result
        }
    }

    func delete(
        _ type: ResourceType, namespace: String, name: String, options: DeletionOptions = DeletionOptions()
    ) throws(APIError) -> JSONValue {
        try state.withLock { (state) throws(APIError) -> JSONValue in
            var working = state
            let result = try working.delete(type, namespace: namespace, name: name, options: options)
            if !options.dryRun { finish(&working, into: &state) }
            return result
        }
    }

    /// Runs `change` on the state under the lock, then the collector, and publishes what changed.
    func mutate(_ change: (inout State) -> Void) {
        state.withLock { state in
            var working = state
            change(&working)
            finish(&working, into: &state)
        }
    }

    /// A value read from the state under the lock.
    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

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

extension Store.State {
    static let namespaces = GroupResource(group: "", resource: "namespaces")

    // MARK: Change recording

    /// Stores an object under a new resourceVersion and records the change.
    mutating func commit(_ object: JSONValue, resource: GroupResource, key: String, kind: ChangeEvent.Kind) {
        resourceVersion = resourceVersion.next
        var stored = object
        stored.set(["metadata", "resourceVersion"], .string(resourceVersion.description))
        let previous = objects[resource]?[key]
        if kind == .deleted {
            objects[resource]?[key] = nil
        } else {
            objects[resource, default: [:]][key] = stored
        }
        let change = ChangeEvent(
            kind: kind, resource: resource, namespace: stored.at(["metadata", "namespace"])?.stringValue ?? "",
            object: stored, previous: previous, resourceVersion: resourceVersion)
        history.append(change)
        if history.count > historyCapacity {
            compactedThrough = history.removeFirst().resourceVersion
        }
        pending.append(change)
    }

    mutating func insertNew(_ object: JSONValue, resource: GroupResource, namespace: String) {
        var object = object
        let name = object.at(["metadata", "name"])?.stringValue ?? ""
        object.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
        object.set(["metadata", "creationTimestamp"], .string(Timestamp.now()))
        commit(object, resource: resource, key: namespace.isEmpty ? "/\(name)" : "\(namespace)/\(name)", kind: .added)
    }

    func type(for resource: GroupResource) -> ResourceType? { registry.type(for: resource) }

    // MARK: Create

    mutating func create(
        _ type: ResourceType, namespace: String, body: JSONValue, options: WriteOptions
    ) throws(APIError) -> WriteResult {
        guard case .object = body else { throw .badRequest("the body of a create must be a JSON object") }
        var object = body
        var metadata = object["metadata"]?.objectValue ?? JSONObject()
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + Self.randomSuffix()
            metadata["name"] = .string(name)
        }
        guard !name.isEmpty else {
            throw .invalid(
                kind: type.kind, group: type.group, name: "",
                causes: [
                    .init(
                        reason: "FieldValueRequired", message: "Required value: name or generateName is required",
                        field: "metadata.name")
                ])
        }
        try Self.checkName(name, type: type)
        if type.namespaced {
            if let given = metadata["namespace"]?.stringValue, !given.isEmpty, given != namespace {
                throw .badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            guard let ns = objects[Self.namespaces]?["/\(namespace)"] else {
                throw .notFound(Self.namespaces, namespace)
            }
            if ns.at(["metadata", "deletionTimestamp"]) != nil {
                throw APIError(
                    code: 403, reason: "Forbidden",
                    message: "\(type.plural) \"\(name)\" is forbidden: unable to create new content in namespace "
                        + "\(namespace) because it is being terminated", name: name, group: type.group,
                    kind: type.plural)
            }
            metadata["namespace"] = .string(namespace)
        } else {
            metadata["namespace"] = nil
        }
        let key = Store.key(type, namespace, name)
        if objects[type.groupResource]?[key] != nil { throw .alreadyExists(type.groupResource, name) }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(Timestamp.now())
        metadata["resourceVersion"] = nil
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        metadata["generation"] = type.tracksGeneration ? 1 : .none
        metadata["selfLink"] = nil
        object.set(["metadata"], .object(metadata))
        object.set(["kind"], .string(type.kind))
        object.set(["apiVersion"], .string(type.apiVersion))
        if type.hasStatus { object.set(["status"], nil) }
        object = BuiltinDefaults.apply(type, object: object, serial: resourceVersion.value + 1)
        let admitted = try Admission.admit(type, object: object, old: nil, options: options, registry: registry)
        object = Admission.serverManaged(type, object: admitted.object)
        if !options.isApply {
            object = ManagedFields.recordUpdate(
                old: nil, new: object, manager: options.fieldManager, apiVersion: type.apiVersion, subresource: nil,
                hasStatus: type.hasStatus)
        }
        commit(object, resource: type.groupResource, key: key, kind: .added)
        return WriteResult(
            object: objects[type.groupResource]?[key] ?? object, created: true, warnings: admitted.warnings)
    }

    static func randomSuffix() -> String {
        // The API server's generateName suffix: 5 characters from this alphabet.
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    static func checkName(_ name: String, type: ResourceType) throws(APIError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        let valid =
            name.count <= 253 && name.allSatisfy { allowed.contains($0) }
            && (name.first.map { $0.isLetter || $0.isNumber } ?? false)
            && (name.last.map { $0.isLetter || $0.isNumber } ?? false)
        if !valid {
            throw .invalid(
                kind: type.kind, group: type.group, name: name,
                causes: [
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower "
                            + "case alphanumeric characters, '-' or '.', and must start and end with an "
                            + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                        field: "metadata.name")
                ])
        }
    }

    // MARK: Update

    mutating func update(
        _ type: ResourceType, existing: JSONValue, proposed: JSONValue, subresource: Subresource?,
        options: WriteOptions
    ) throws(APIError) -> WriteResult {
        guard case .object = proposed else { throw .badRequest("the body of an update must be a JSON object") }
        let name = existing.at(["metadata", "name"])?.stringValue ?? ""
        let namespace = existing.at(["metadata", "namespace"])?.stringValue ?? ""
        if let given = proposed.at(["metadata", "name"])?.stringValue, !given.isEmpty, given != name {
            throw .badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        if let given = proposed.at(["metadata", "resourceVersion"])?.stringValue, !given.isEmpty,
            given != existing.at(["metadata", "resourceVersion"])?.stringValue
        {
            _ = try ResourceVersion.parse(given)
            throw .conflict(type.groupResource, name)
        }
        let oldMetadata = existing["metadata"]?.objectValue ?? JSONObject()
        try Self.checkNoNewFinalizers(
            type, name: name, existing: existing, proposed: proposed, subresource: subresource)
        var object: JSONValue
        if subresource == .status {
            // The status endpoint changes status only; everything else stays as stored.
            object = existing
            object.set(["status"], proposed["status"])
            if options.isApply {
                object.set(["metadata", "managedFields"], proposed.at(["metadata", "managedFields"]))
            }
        } else {
            object = proposed
            if type.hasStatus { object.set(["status"], existing["status"]) }
            var metadata = object["metadata"]?.objectValue ?? JSONObject()
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
                metadata[field] = oldMetadata[field]
            }
            if metadata["managedFields"] == nil { metadata["managedFields"] = oldMetadata["managedFields"] }
            metadata["name"] = .string(name)
            metadata["namespace"] = type.namespaced ? .string(namespace) : .none
            metadata["resourceVersion"] = oldMetadata["resourceVersion"]
            metadata["generateName"] = oldMetadata["generateName"]
            object.set(["metadata"], .object(metadata))
        }
        object.set(["kind"], .string(type.kind))
        object.set(["apiVersion"], .string(type.apiVersion))
        if type.groupResource.resource == "services", object.at(["spec", "clusterIP"]) == nil {
            // The cluster IP is immutable once allocated.
            object.set(["spec", "clusterIP"], existing.at(["spec", "clusterIP"]))
            object.set(["spec", "clusterIPs"], existing.at(["spec", "clusterIPs"]))
        }
        object = BuiltinDefaults.apply(type, object: object, serial: resourceVersion.value + 1)
        let admitted = try Admission.admit(type, object: object, old: existing, options: options, registry: registry)
        object = Admission.serverManaged(type, object: admitted.object)
        object.set(["metadata", "resourceVersion"], existing.at(["metadata", "resourceVersion"]))
        if !options.isApply {
            object = ManagedFields.recordUpdate(
                old: existing, new: object, manager: options.fieldManager, apiVersion: type.apiVersion,
                subresource: subresource, hasStatus: type.hasStatus)
        }
        var comparable = existing
        comparable.set(["apiVersion"], .string(type.apiVersion))
        if object == comparable {
            // A no-op write keeps the resourceVersion and sends no event, like the real server.
            return WriteResult(object: existing, created: false, warnings: admitted.warnings)
        }
        if type.tracksGeneration, Self.specChanged(type, old: existing, new: object) {
            let generation = existing.at(["metadata", "generation"])?.intValue ?? 1
            object.set(["metadata", "generation"], .number(Double(generation + 1)))
        }
        let key = Store.key(type, namespace, name)
        let finalizers = object.at(["metadata", "finalizers"])?.arrayValue ?? []
        if object.at(["metadata", "deletionTimestamp"]) != nil, finalizers.isEmpty {
            commit(object, resource: type.groupResource, key: key, kind: .deleted)
            return WriteResult(object: pending.last!.object, created: false, warnings: admitted.warnings)
        }
        commit(object, resource: type.groupResource, key: key, kind: .modified)
        return WriteResult(object: objects[type.groupResource]![key]!, created: false, warnings: admitted.warnings)
    }

    /// Whether anything outside metadata (and status, where status is a subresource) changed: that is
    /// what bumps `metadata.generation` for custom resources and most built-ins.
    static func specChanged(_ type: ResourceType, old: JSONValue, new: JSONValue) -> Bool {
        func body(_ value: JSONValue) -> JSONValue {
            var value = value
            for field in ["metadata", "kind", "apiVersion"] { value.set([field], nil) }
            if type.hasStatus { value.set(["status"], nil) }
            return value
        }
        if old.at(["metadata", "deletionTimestamp"]) == nil, new.at(["metadata", "deletionTimestamp"]) != nil {
            return true
        }
        return body(old) != body(new)
    }

    // MARK: Delete

    mutating func delete(
        _ type: ResourceType, namespace: String, name: String, options: DeletionOptions
    ) throws(APIError) -> JSONValue {
        let key = Store.key(type, namespace, name)
        guard var object = objects[type.groupResource]?[key] else { throw .notFound(type.groupResource, name) }
        // The generic registry's precondition messages name the kind, not the resource.
        let qualifiedKind = GroupResource(group: type.group, resource: type.kind)
        if let uid = options.preconditionUID, uid != object.at(["metadata", "uid"])?.stringValue ?? "" {
            throw .conflict(
                qualifiedKind, name,
                message: "the UID in the precondition (\(uid)) does not match the UID in record ("
                    + (object.at(["metadata", "uid"])?.stringValue ?? "")
                    + "). The object might have been deleted and then recreated")
        }
        if let rv = options.preconditionResourceVersion,
            rv != object.at(["metadata", "resourceVersion"])?.stringValue ?? ""
        {
            throw .conflict(
                qualifiedKind, name,
                message:
                    "the ResourceVersion in the precondition (\(rv)) does not match the ResourceVersion in record ("
                    + (object.at(["metadata", "resourceVersion"])?.stringValue ?? "")
                    + "). The object might have been modified")
        }
        var finalizers = (object.at(["metadata", "finalizers"])?.arrayValue ?? []).compactMap(\.stringValue)
        let deleting = object.at(["metadata", "deletionTimestamp"]) != nil
        switch options.propagation {
        case .foreground:
            if !finalizers.contains(GarbageCollector.foregroundFinalizer) {
                finalizers.append(GarbageCollector.foregroundFinalizer)
            }
        case .orphan:
            if !finalizers.contains(GarbageCollector.orphanFinalizer) {
                finalizers.append(GarbageCollector.orphanFinalizer)
            }
        default: break
        }
        if type.groupResource == Self.namespaces, !deleting {
            object.set(["status", "phase"], "Terminating")
            finalizers.append(GarbageCollector.namespaceFinalizer)
        }
        if finalizers.isEmpty {
            commit(object, resource: type.groupResource, key: key, kind: .deleted)
            return pending.last!.object
        }
        let before = object
        object.set(["metadata", "finalizers"], .array(finalizers.map { .string($0) }))
        if !deleting {
            object.set(["metadata", "deletionTimestamp"], .string(Timestamp.now()))
            object.set(["metadata", "deletionGracePeriodSeconds"], 0)
            if type.tracksGeneration {
                let generation = object.at(["metadata", "generation"])?.intValue ?? 1
                object.set(["metadata", "generation"], .number(Double(generation + 1)))
            }
        }
        if object != before { commit(object, resource: type.groupResource, key: key, kind: .modified) }
        return objects[type.groupResource]![key]!
    }
}
