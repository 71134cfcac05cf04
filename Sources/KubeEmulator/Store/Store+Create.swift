import AssayCore
import Foundation

/// Recording changes and creating objects: names, generateName, namespaces, uids.
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
        // Not `nil`: JSONValue is ExpressibleByNilLiteral, and `nil` would be its `null`.
        let current: JSONValue? = kind == .deleted ? .none : .some(stored)
        noteForCollector(StoredRef(resource: resource, key: key), from: previous, to: current)
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
}
