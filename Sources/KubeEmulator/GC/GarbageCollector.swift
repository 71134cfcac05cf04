import AssayCore

/// What the garbage collector and namespace controller would do, run synchronously after every write
/// over the objects the write may concern (found through ``OwnerIndex``):
/// dependents of deleted owners are deleted (background), foreground owners wait for their blocking
/// dependents, orphaned dependents lose their owner reference, terminating namespaces are emptied, and
/// the objects of a deleted CustomResourceDefinition are removed.
enum GarbageCollector {
    /// The finalizer a foreground deletion puts on the owner (`metav1.FinalizerDeleteDependents`).
    static let foregroundFinalizer = "foregroundDeletion"
    /// The finalizer an orphaning deletion puts on the owner (`metav1.FinalizerOrphanDependents`).
    static let orphanFinalizer = "orphan"
    /// The namespace controller's finalizer; the emulator keeps it in `metadata.finalizers`.
    static let namespaceFinalizer = "kubernetes"
    /// Upper bound on collector passes after one write; each pass makes one change, so this bounds how
    /// much one deletion can cascade to (a namespace with this many objects).
    static let maximumPasses = 100_000
    /// The resources served without a CustomResourceDefinition.
    static let builtinResources = Set(BuiltinResources.all.map(\.groupResource))
}

extension Store.State {
    private struct Located {
        var resource: GroupResource
        var key: String
        var object: JSONValue
        var uid: String { object.at(["metadata", "uid"])?.stringValue ?? "" }
        var deleting: Bool { object.at(["metadata", "deletionTimestamp"]) != nil }
        var finalizers: [String] {
            (object.at(["metadata", "finalizers"])?.arrayValue ?? []).compactMap(\.stringValue)
        }
        var ownerReferences: [JSONValue] { object.at(["metadata", "ownerReferences"])?.arrayValue ?? [] }
        var namespace: String { object.at(["metadata", "namespace"])?.stringValue ?? "" }
        var name: String { object.at(["metadata", "name"])?.stringValue ?? "" }
    }

    /// Runs the collector over the objects a change may concern (``noteForCollector(_:from:to:)``)
    /// until nothing more changes: each change queues the objects it may concern in turn.
    mutating func collectGarbage() {
        var passes = 0
        while !collectorQueue.isEmpty, passes < GarbageCollector.maximumPasses {
            let batch = collectorQueue.sorted()
            collectorQueue.removeAll()
            for ref in batch where passes < GarbageCollector.maximumPasses {
                if collect(ref) { passes += 1 }
            }
        }
        collectorQueue.removeAll()
    }

    /// Queues every object for the collector (after a change it cannot trace to objects, such as an
    /// upstream owner reported gone).
    mutating func queueEverythingForCollector() {
        for (resource, byKey) in objects {
            for key in byKey.keys { collectorQueue.insert(StoredRef(resource: resource, key: key)) }
        }
    }

    /// Keeps the owner index and queues the objects the collector must look at again after the
    /// object at `ref` went from `old` to `new`: itself, its dependents, its owners (their orphan and
    /// foreground finalizers wait on it), its namespace (whose finalizer waits for it to empty), the
    /// contents of a terminating namespace, and the objects of a deleted CustomResourceDefinition.
    mutating func noteForCollector(_ ref: StoredRef, from old: JSONValue?, to new: JSONValue?) {
        owners.update(ref, from: old, to: new)
        if new != nil { collectorQueue.insert(ref) }
        for object in [old, new].compactMap({ $0 }) {
            collectorQueue.formUnion(owners.dependents(of: OwnerIndex.uid(of: object)))
            for owner in OwnerIndex.ownerUIDs(of: object) {
                if let located = owners.byUID[owner] { collectorQueue.insert(located) }
            }
        }
        if let namespace = OwnerIndex.namespace(of: ref) {
            collectorQueue.insert(StoredRef(resource: Self.namespaces, key: "/\(namespace)"))
        }
        if ref.resource == Self.namespaces, let new, new.at(["metadata", "deletionTimestamp"]) != nil {
            let prefix = "\(ref.key.dropFirst())/"
            for (resource, byKey) in objects where resource != Self.namespaces {
                for key in byKey.keys where key.hasPrefix(prefix) {
                    collectorQueue.insert(StoredRef(resource: resource, key: key))
                }
            }
        }
        if ref.resource == CRDRegistry.crdResource, new == nil, let dot = ref.key.firstIndex(of: ".") {
            let served = GroupResource(
                group: String(ref.key[ref.key.index(after: dot)...]), resource: String(ref.key.dropFirst()[..<dot]))
            for key in (objects[served] ?? [:]).keys { collectorQueue.insert(StoredRef(resource: served, key: key)) }
        }
    }

    private func located(_ ref: StoredRef) -> Located? {
        objects[ref.resource]?[ref.key].map { Located(resource: ref.resource, key: ref.key, object: $0) }
    }

    /// Applies the first rule that holds for the object at `ref`; true when it changed something.
    private mutating func collect(_ ref: StoredRef) -> Bool {
        collectorVisits += 1
        guard let item = located(ref) else { return false }
        // Objects of a resource whose CustomResourceDefinition is gone.
        if !GarbageCollector.builtinResources.contains(item.resource),
            objects[CRDRegistry.crdResource]?["/\(item.resource.resource).\(item.resource.group)"] == nil
        {
            commit(item.object, resource: item.resource, key: item.key, kind: .deleted)
            return true
        }
        // Contents of a terminating namespace.
        if !item.namespace.isEmpty, let ns = objects[Self.namespaces]?["/\(item.namespace)"],
            ns.at(["metadata", "deletionTimestamp"]) != nil, !item.deleting
        {
            deleteForCollector(item)
            return true
        }
        if collectOwnerReferences(item) { return true }
        return item.deleting && releaseFinalizers(item)
    }

    /// Owner references: a dependent whose owners are all gone is deleted (background), references
    /// to orphaning owners are dropped, and a foreground owner's dependents are deleted.
    private mutating func collectOwnerReferences(_ item: Located) -> Bool {
        let refs = item.ownerReferences
        guard !refs.isEmpty else { return false }
        var kept: [JSONValue] = []
        var deleteDependent = false
        var anyGone = false
        for ref in refs {
            guard let owner = owners.byUID[ref["uid"]?.stringValue ?? ""].flatMap(located) else {
                anyGone = true
                // An owner on the real server behind the front is there until the front says otherwise.
                if upstreamOwners.isLive(ref) { kept.append(ref) }
                continue
            }
            if owner.deleting, owner.finalizers.contains(GarbageCollector.orphanFinalizer) { continue }
            if owner.deleting, owner.finalizers.contains(GarbageCollector.foregroundFinalizer) {
                deleteDependent = true
            }
            kept.append(ref)
        }
        if kept.isEmpty, anyGone {
            // Every owner is gone: background deletion of the dependent.
            guard !item.deleting else { return false }
            deleteForCollector(item)
            return true
        }
        if kept.count != refs.count {
            var object = item.object
            object.set(["metadata", "ownerReferences"], kept.isEmpty ? .none : .array(kept))
            commit(object, resource: item.resource, key: item.key, kind: .modified)
            return true
        }
        if deleteDependent, !item.deleting {
            deleteForCollector(item)
            return true
        }
        return false
    }

    /// Owners waiting on finalizers the collector owns: orphan and foreground ones once no
    /// dependent (no blocking dependent) is left, a namespace's once it is empty.
    private mutating func releaseFinalizers(_ item: Located) -> Bool {
        var finalizers = item.finalizers
        let dependents = owners.dependents(of: item.uid).compactMap(located)
        if finalizers.contains(GarbageCollector.orphanFinalizer), dependents.isEmpty {
            finalizers.removeAll { $0 == GarbageCollector.orphanFinalizer }
        }
        if finalizers.contains(GarbageCollector.foregroundFinalizer) {
            let blocked = dependents.contains { dependent in
                dependent.ownerReferences.contains {
                    $0["uid"]?.stringValue == item.uid && $0["blockOwnerDeletion"]?.boolValue == true
                }
            }
            if !blocked { finalizers.removeAll { $0 == GarbageCollector.foregroundFinalizer } }
        }
        if item.resource == Self.namespaces, finalizers.contains(GarbageCollector.namespaceFinalizer),
            !owners.isOccupied(item.name)
        {
            finalizers.removeAll { $0 == GarbageCollector.namespaceFinalizer }
        }
        guard finalizers != item.finalizers else { return false }
        var object = item.object
        object.set(["metadata", "finalizers"], finalizers.isEmpty ? .none : .array(finalizers.map { .string($0) }))
        commit(object, resource: item.resource, key: item.key, kind: finalizers.isEmpty ? .deleted : .modified)
        return true
    }

    private mutating func deleteForCollector(_ item: Located) {
        if let type = type(for: item.resource) {
            _ = try? delete(
                type, namespace: item.namespace, name: item.name,
                options: DeletionOptions(propagation: .background))
        } else {
            commit(item.object, resource: item.resource, key: item.key, kind: .deleted)
        }
    }
}
