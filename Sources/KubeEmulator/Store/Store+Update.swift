import AssayCore
import Foundation

/// Updates: optimistic concurrency, subresources, generation and managed fields.
extension Store.State {
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
}
