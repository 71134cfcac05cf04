import AssayCore
import Foundation

/// What the API server does to an object between decoding and storage: for custom resources,
/// pruning (or strict unknown-field rejection), defaulting, schema validation and CEL rules; for
/// CustomResourceDefinitions, the structural checks; and the status fields the server itself owns.
enum Admission {
    struct Admitted: Sendable {
        var object: JSONValue
        var warnings: [String]
    }

    /// Schema errors after which the API server does not evaluate CEL rules.
    static let blockingReasons: Set<String> = [
        "FieldValueRequired", "FieldValueTypeInvalid", "FieldValueNotSupported", "FieldValueTooLong",
        "FieldValueTooMany",
    ]

    static func admit(
        _ type: ResourceType, object: JSONValue, old: JSONValue?, options: WriteOptions, registry: CRDRegistry
    ) throws(APIError) -> Admitted {
        let name = object.at(["metadata", "name"])?.stringValue ?? ""
        var unknown: [String] = []
        var object = object
        if !type.isCustom, let schemas = registry.builtinSchemas {
            // Built-in kinds decode into Go structs: unknown fields are dropped, or refused under Strict.
            object = schemas.prune(object, group: type.group, version: type.version, kind: type.kind, unknown: &unknown)
        }
        let schema = type.schema
        var value = schema?.prune(object, path: "", unknown: &unknown, root: true) ?? object
        var warnings: [String] = []
        if !unknown.isEmpty {
            switch options.fieldValidation {
            case .strict:
                let list = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                throw .badRequest(
                    "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): "
                        + "strict decoding error: \(list)")
            case .warn: warnings = unknown.map { "unknown field \"\($0)\"" }
            case .ignore: break
            }
        }
        if type.groupResource == CRDRegistry.crdResource {
            _ = try CRDRegistry.types(fromCRD: value)
            return Admitted(object: value, warnings: warnings)
        }
        guard let schema else { return Admitted(object: value, warnings: warnings) }
        value = schema.applyDefaults(value)
        var causes: [APIError.Cause] = []
        schema.validate(value, path: "", causes: &causes, root: true)
        // Rules run unless a schema error would make them misread the object (a missing, mistyped,
        // unsupported or oversized value); then the server says so instead, as it does.
        if causes.contains(where: { Self.blockingReasons.contains($0.reason) }) {
            causes.append(
                .init(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: null: some validation rules were not checked because the object was "
                        + "invalid; correct the existing errors to complete validation", field: ""))
        } else {
            var current = value
            current.set(["metadata"], nil)
            var previous = old
            previous?.set(["metadata"], nil)
            schema.validateRules(current, old: previous, path: "", causes: &causes)
        }
        if !causes.isEmpty {
            for index in causes.indices where causes[index].field.isEmpty { causes[index].field = "<nil>" }
            throw .invalid(kind: type.kind, group: type.group, name: name, causes: causes)
        }
        return Admitted(object: value, warnings: warnings)
    }

    /// What the server maintains: Namespaces are Active until deleted, CRDs are Established with
    /// their names accepted, Secrets default to `Opaque` and fold `stringData` into `data`.
    static func serverManaged(_ type: ResourceType, object: JSONValue) -> JSONValue {
        var object = object
        if type.groupResource == GroupResource(group: "", resource: "secrets") {
            if (object["type"]?.stringValue ?? "").isEmpty { object.set(["type"], "Opaque") }
            if let plain = object["stringData"]?.objectValue {
                var data = object["data"]?.objectValue ?? JSONObject()
                for (key, value) in plain {
                    data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
                }
                object.set(["data"], .object(data))
                object.set(["stringData"], .none)
            }
        }
        if type.groupResource == Store.State.namespaces, object.at(["status", "phase"]) == nil {
            object.set(["status", "phase"], "Active")
        }
        if type.groupResource == CRDRegistry.crdResource {
            let now = Timestamp.now()
            func condition(_ kind: String, _ reason: String, _ message: String) -> JSONValue {
                [
                    "type": .string(kind), "status": "True", "lastTransitionTime": .string(now),
                    "reason": .string(reason), "message": .string(message),
                ]
            }
            if object.at(["status", "conditions"]) == nil {
                object.set(
                    ["status", "conditions"],
                    [
                        condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                        condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
                    ])
            }
            object.set(["status", "acceptedNames"], object.at(["spec", "names"]))
            let storage = (object.at(["spec", "versions"])?.arrayValue ?? []).first { $0["storage"]?.boolValue == true }
            var stored = (object.at(["status", "storedVersions"])?.arrayValue ?? []).compactMap(\.stringValue)
            if let name = storage?["name"]?.stringValue, !stored.contains(name) { stored.append(name) }
            object.set(["status", "storedVersions"], .array(stored.map { .string($0) }))
        }
        return object
    }
}
