import AssayCore

/// OpenAPI v3 documents, one per group version: for each resource the PATCH operation with its
/// `x-kubernetes-group-version-kind` and the `fieldValidation`, `fieldManager` and `dryRun` query
/// parameters (how kubectl learns that the server validates fields itself, so it sends
/// `fieldValidation=Strict`), and in `components.schemas` the kind's schema: a CRD version's
/// `openAPIV3Schema`, or a built-in kind's from ``BuiltinSchemas`` when the emulator has them.
/// kubectl reads the schemas for strategic merge patches and `kubectl explain`. (`/openapi/v2` is
/// protobuf-only for kubectl, so it is not served.)
enum OpenAPI {
    static func groupVersionPath(_ type: ResourceType) -> String {
        type.group.isEmpty ? "api/\(type.version)" : "apis/\(type.group)/\(type.version)"
    }

    static func index(_ types: [ResourceType]) -> JSONValue {
        var paths = JSONObject()
        for type in types {
            let path = groupVersionPath(type)
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)")]
        }
        return ["paths": .object(paths)]
    }

    /// The schema name the API server gives a custom resource: the group reversed, the version, the kind.
    static func customSchemaName(_ type: ResourceType) -> String {
        (type.group.split(separator: ".").reversed().map(String.init) + [type.version, type.kind]).joined(
            separator: ".")
    }

    static func groupVersion(_ types: [ResourceType], path: String, builtins: BuiltinSchemas?) -> JSONValue? {
        let types = types.filter { groupVersionPath($0) == path }
        guard !types.isEmpty else { return nil }
        var paths = JSONObject()
        var schemas = JSONObject()
        for type in types {
            let prefix = "/" + groupVersionPath(type)
            let item =
                type.namespaced
                ? "\(prefix)/namespaces/{namespace}/\(type.plural)/{name}" : "\(prefix)/\(type.plural)/{name}"
            let gvk: JSONValue = [
                "group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind),
            ]
            let parameters: JSONValue = [
                ["name": "dryRun", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string"]],
            ]
            var response: JSONValue = ["description": "OK"]
            if var schema = type.openAPISchema {
                let name = customSchemaName(type)
                schema.set(["x-kubernetes-group-version-kind"], [gvk])
                schemas[name] = schema
                response.set(
                    ["content", "application/json", "schema"], ["$ref": .string("#/components/schemas/\(name)")])
            } else if let builtins, let name = builtins.name(group: type.group, version: type.version, kind: type.kind)
            {
                for (key, schema) in builtins.closure(group: type.group, version: type.version, kind: type.kind) {
                    schemas[key] = schema
                }
                response.set(
                    ["content", "application/json", "schema"], ["$ref": .string("#/components/schemas/\(name)")])
            }
            paths[item] = [
                "patch": [
                    "operationId": .string("patch\(type.kind)"), "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                    "responses": ["200": response],
                ]
            ]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string("v\(Discovery.major).\(Discovery.minor).0")],
            "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ]
    }
}
