import AssayCore
import AssayKube

/// What the operator keeps of each watched object (the projection of its ``ObjectCache``s): the
/// fields the reconciler reads, not the API server's bookkeeping. Dropped from every kind:
/// `metadata.managedFields` (the structure of every field again, once per manager), kubectl's
/// last-applied annotation (the spec again) and the creation time. A suite keeps the rest (its spec
/// and status); a child keeps its metadata and spec, what the reconciler compares with what it
/// would apply, and of its status only `readyReplicas`, which says whether a Deployment's
/// evaluators are live.
enum CachedFields {
    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    static func suite(_ object: KubeObject) -> KubeObject {
        var json = object.json.objectValue ?? JSONObject()
        json["metadata"] = metadata(json["metadata"])
        return KubeObject(.object(json))
    }

    static func child(_ object: KubeObject) -> KubeObject {
        var json = object.json.objectValue ?? JSONObject()
        json["metadata"] = metadata(json["metadata"])
        json["status"] = json["status"]?["readyReplicas"].map { .object(JSONObject([("readyReplicas", $0)])) }
        return KubeObject(.object(json))
    }

    private static func metadata(_ value: JSONValue?) -> JSONValue? {
        guard var metadata = value?.objectValue else { return value }
        metadata["managedFields"] = nil
        metadata["creationTimestamp"] = nil
        if var annotations = metadata["annotations"]?.objectValue, annotations[lastAppliedAnnotation] != nil {
            annotations[lastAppliedAnnotation] = nil
            metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        return .object(metadata)
    }
}
