import AssayCore

/// Owners that live on the real API server behind the front (custom resources, in front mode).
/// The collector cannot see them, so it keeps their dependents until the front reports an owner
/// gone; the front also plays the garbage collector's part for foreground and orphan deletions
/// of such owners.
struct UpstreamOwners: Sendable {
    var enabled = false
    /// UIDs of upstream owners the front saw disappear.
    var gone: Set<String> = []

    /// Groups the emulator serves itself in front mode: everything built in but `apiextensions.k8s.io`,
    /// and the review APIs (``AuthAPI``), which a real apiextensions-apiserver does not serve.
    static let localGroups = Set(BuiltinResources.all.map(\.group)).subtracting([Front.apiextensionsGroup])
        .union(AuthAPI.groups)

    static func group(ofAPIVersion apiVersion: String) -> String {
        apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
    }

    /// Whether `ref` names an upstream owner not known to be gone.
    func isLive(_ ref: JSONValue) -> Bool {
        guard enabled, let uid = ref["uid"]?.stringValue, !gone.contains(uid) else { return false }
        return !Self.localGroups.contains(Self.group(ofAPIVersion: ref["apiVersion"]?.stringValue ?? ""))
    }
}

/// An owner reference to an upstream object, with the namespace its dependent lives in (owners of
/// namespaced dependents are in the same namespace, or cluster-scoped).
struct UpstreamOwnerRef: Sendable, Hashable {
    var uid: String
    var apiVersion: String
    var kind: String
    var name: String
    var namespace: String
}

extension Store {
    func enableUpstreamOwners() { mutate { $0.upstreamOwners.enabled = true } }

    /// Every live upstream owner some object here refers to.
    func upstreamOwnerReferences() -> Set<UpstreamOwnerRef> {
        read { state in
            var refs: Set<UpstreamOwnerRef> = []
            for byKey in state.objects.values {
                for object in byKey.values {
                    let namespace = object.at(["metadata", "namespace"])?.stringValue ?? ""
                    for ref in object.at(["metadata", "ownerReferences"])?.arrayValue ?? []
                    where state.upstreamOwners.isLive(ref) {
                        refs.insert(
                            UpstreamOwnerRef(
                                uid: ref["uid"]?.stringValue ?? "", apiVersion: ref["apiVersion"]?.stringValue ?? "",
                                kind: ref["kind"]?.stringValue ?? "", name: ref["name"]?.stringValue ?? "",
                                namespace: namespace))
                    }
                }
            }
            return refs
        }
    }

    /// The owner is gone: its dependents are collected (background deletion).
    func upstreamOwnerGone(_ uid: String) {
        guard read({ $0.upstreamOwners.enabled && !$0.upstreamOwners.gone.contains(uid) }) else { return }
        mutate { $0.upstreamOwners.gone.insert(uid) }
    }

    /// Foreground deletion of an upstream owner: its dependents are deleted now.
    func deleteDependents(of uid: String) {
        for (type, namespace, name) in dependents(of: uid) {
            _ = try? delete(type, namespace: namespace, name: name, options: DeletionOptions(propagation: .background))
        }
    }

    /// Orphaning deletion of an upstream owner: its dependents lose their reference to it.
    func orphanDependents(of uid: String) {
        for (type, namespace, name) in dependents(of: uid) {
            _ = try? write(type, namespace: namespace, name: name) { (current) throws(APIError) -> JSONValue in
                var object = current ?? .null
                let kept = (object.at(["metadata", "ownerReferences"])?.arrayValue ?? []).filter {
                    $0["uid"]?.stringValue != uid
                }
                object.set(["metadata", "ownerReferences"], kept.isEmpty ? .none : .array(kept))
                return object
            }
        }
    }

    private func dependents(of uid: String) -> [(ResourceType, String, String)] {
        read { state in
            state.owners.dependents(of: uid).sorted().compactMap { ref in
                guard let type = state.type(for: ref.resource), let object = state.objects[ref.resource]?[ref.key]
                else {
                    return nil
                }
                return (
                    type, object.at(["metadata", "namespace"])?.stringValue ?? "",
                    object.at(["metadata", "name"])?.stringValue ?? ""
                )
            }
        }
    }
}
