import AssayCore
import Foundation

/// Deletes: preconditions, finalizers, propagation and dry runs.
extension Store.State {
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
