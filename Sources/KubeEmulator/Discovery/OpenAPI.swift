import Common

/// Minimal OpenAPI v3 documents: per group version, one PATCH operation per resource declaring the
/// `fieldValidation` and `dryRun` query parameters, and no schemas. That is what kubectl reads to
/// learn that the server validates fields itself; it then sends `fieldValidation=Strict` rather than
/// validating against a schema on the client. (`/openapi/v2` is protobuf-only for kubectl, so it is
/// not served.)
enum OpenAPI {
    static func groupVersionPath(_ type: ResourceType) -> String {
        type.group.isEmpty ? "api/\(type.version)" : "apis/\(type.group)/\(type.version)"
    }

    static func index(_ registry: CRDRegistry) -> JSONValue {
        var paths = JSONObject()
        for type in registry.all {
            let path = groupVersionPath(type)
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)")]
        }
        return ["paths": .object(paths)]
    }

    static func groupVersion(_ registry: CRDRegistry, path: String) -> JSONValue? {
        let types = registry.all.filter { groupVersionPath($0) == path }
        guard !types.isEmpty else { return nil }
        var paths = JSONObject()
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
            paths[item] = [
                "patch": [
                    "operationId": .string("patch\(type.kind)"), "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                    "responses": ["200": ["description": "OK"]],
                ]
            ]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string("v\(Discovery.major).\(Discovery.minor).0")],
            "paths": .object(paths), "components": ["schemas": .object(JSONObject())],
        ]
    }
}
