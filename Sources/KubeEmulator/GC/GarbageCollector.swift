import AssayCore

/// What the garbage collector and namespace controller would do, run synchronously after every write:
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

    mutating func collectGarbage() {
        var passes = 0
        while passes < GarbageCollector.maximumPasses, collectOnce() { passes += 1 }
    }

    private func everything() -> [Located] {
        var all: [Located] = []
        for resource in objects.keys.sorted(by: { $0.display < $1.display }) {
            let byKey = objects[resource]!
            for key in byKey.keys.sorted() { all.append(Located(resource: resource, key: key, object: byKey[key]!)) }
        }
        return all
    }

    /// One pass; true when it changed something (so another pass may find more to do).
    private mutating func collectOnce() -> Bool {
        let all = everything()
        var byUID: [String: Located] = [:]
        for item in all { byUID[item.uid] = item }
        let crds = objects[CRDRegistry.crdResource] ?? [:]
        let builtin = Set(BuiltinResources.all.map(\.groupResource))

        for item in all {
            // Objects of a resource whose CustomResourceDefinition is gone.
            if !builtin.contains(item.resource), crds["/\(item.resource.resource).\(item.resource.group)"] == nil {
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
            // Owner references.
            let refs = item.ownerReferences
            guard !refs.isEmpty else { continue }
            var kept: [JSONValue] = []
            var deleteDependent = false
            for ref in refs {
                let uid = ref["uid"]?.stringValue ?? ""
                guard let owner = byUID[uid] else {
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
            if kept.isEmpty, refs.contains(where: { byUID[$0["uid"]?.stringValue ?? ""] == nil }) {
                // Every owner is gone: background deletion of the dependent.
                if !item.deleting {
                    deleteForCollector(item)
                    return true
                }
                continue
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
        }

        // Owners waiting on finalizers the collector owns.
        for item in all where item.deleting {
            var finalizers = item.finalizers
            if finalizers.contains(GarbageCollector.orphanFinalizer) {
                let referenced = all.contains { dependent in
                    dependent.ownerReferences.contains { $0["uid"]?.stringValue == item.uid }
                }
                if !referenced { finalizers.removeAll { $0 == GarbageCollector.orphanFinalizer } }
            }
            if finalizers.contains(GarbageCollector.foregroundFinalizer) {
                let blocked = all.contains { dependent in
                    dependent.ownerReferences.contains {
                        $0["uid"]?.stringValue == item.uid && $0["blockOwnerDeletion"]?.boolValue == true
                    }
                }
                if !blocked { finalizers.removeAll { $0 == GarbageCollector.foregroundFinalizer } }
            }
            if item.resource == Self.namespaces, finalizers.contains(GarbageCollector.namespaceFinalizer) {
                let name = item.name
                let occupied = all.contains { $0.namespace == name && $0.resource != Self.namespaces }
                if !occupied { finalizers.removeAll { $0 == GarbageCollector.namespaceFinalizer } }
            }
            if finalizers != item.finalizers {
                var object = item.object
                object.set(
                    ["metadata", "finalizers"], finalizers.isEmpty ? .none : .array(finalizers.map { .string($0) }))
                commit(object, resource: item.resource, key: item.key, kind: finalizers.isEmpty ? .deleted : .modified)
                return true
            }
        }
        return false
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
