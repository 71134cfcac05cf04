import AssayCore

extension Store.State {
    /// An object being deleted takes no new finalizers (ObjectMeta update validation). The API server
    /// validates metadata twice on such an update, so its 422 carries the cause twice.
    static func checkNoNewFinalizers(
        _ type: ResourceType, name: String, existing: JSONValue, proposed: JSONValue, subresource: Subresource?
    ) throws(APIError) {
        guard subresource == nil, existing.at(["metadata", "deletionTimestamp"]) != nil else { return }
        let old = Set((existing.at(["metadata", "finalizers"])?.arrayValue ?? []).compactMap(\.stringValue))
        let added = (proposed.at(["metadata", "finalizers"])?.arrayValue ?? []).compactMap(\.stringValue).filter {
            !old.contains($0)
        }
        guard !added.isEmpty else { return }
        let cause = APIError.Cause(
            reason: "FieldValueForbidden",
            message: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers "
                + "[]string{" + added.map { JSONWriter.string(.string($0)) }.joined(separator: ", ") + "}",
            field: "metadata.finalizers")
        throw .invalid(kind: type.kind, group: type.group, name: name, causes: [cause, cause])
    }
}
