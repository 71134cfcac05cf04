import AssayCore

/// The `/scale` subresource: an `autoscaling/v1` Scale view of an object's replica fields.
enum Scale {
    static func object(from object: JSONValue, _ type: ResourceType) throws(APIError) -> JSONValue {
        guard let spec = type.scale else { throw .pathNotFound() }
        let metadata = object["metadata"] ?? .null
        var scaleMetadata = JSONObject()
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = metadata[field] { scaleMetadata[field] = value }
        }
        var status = JSONObject([
            ("replicas", object.at(JSONPath.segments(spec.statusReplicasPath)) ?? 0)
        ])
        if let selectorPath = spec.labelSelectorPath, let selector = object.at(JSONPath.segments(selectorPath)) {
            status["selector"] = selector
        } else if type.groupResource.resource == "deployments", let selector = object.at(["spec", "selector"]) {
            status["selector"] = .string(LabelSelector(object: selector).text)
        }
        return .object(
            JSONObject([
                ("kind", "Scale"), ("apiVersion", "autoscaling/v1"), ("metadata", .object(scaleMetadata)),
                ("spec", ["replicas": object.at(JSONPath.segments(spec.specReplicasPath)) ?? 0]),
                ("status", .object(status)),
            ]))
    }

    /// The object with the Scale's `spec.replicas` written to the resource's replica path.
    static func apply(_ scale: JSONValue, to object: JSONValue, _ type: ResourceType) throws(APIError) -> JSONValue {
        guard let spec = type.scale else { throw .pathNotFound() }
        guard let replicas = scale.at(["spec", "replicas"]), replicas.intValue.map({ $0 >= 0 }) == true else {
            throw .invalid(
                kind: "Scale", group: "autoscaling", name: object.at(["metadata", "name"])?.stringValue ?? "",
                causes: [
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: must be greater than or equal to 0",
                        field: "spec.replicas")
                ])
        }
        var result = object
        result.set(JSONPath.segments(spec.specReplicasPath), replicas)
        if let rv = scale.at(["metadata", "resourceVersion"]) { result.set(["metadata", "resourceVersion"], rv) }
        return result
    }
}
