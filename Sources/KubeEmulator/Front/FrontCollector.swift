import AssayCore
import Foundation
import Synchronization

/// The garbage collector's part across the front: objects here (Deployments, Services...) owned by
/// custom resources on the real server. The real server, run alone, has no garbage collector, and
/// the emulator's cannot see its objects, so this one:
///
/// - checks, after every forwarded DELETE and every forwarded write that leaves an object being
///   deleted, whether the object is gone, and then lets the emulator's collector delete its
///   dependents (background deletion);
/// - plays the collector for `Foreground` deletion (deletes the dependents, then removes the
///   `foregroundDeletion` finalizer upstream) and `Orphan` deletion (drops their owner references,
///   then removes the `orphan` finalizer);
/// - sweeps every ``sweepInterval`` for owners that went away without passing through the front
///   (a CRD's deletion removing its objects, a write straight to the real server).
final class FrontCollector: Sendable {
    /// How often owners are checked without a request prompting it. The real garbage collector reacts
    /// to watch events within a second or so; this is a safety net, as the request-driven checks find
    /// owners deleted through the front at once.
    static let sweepInterval: Double = 2

    private let upstream: Upstream
    private let store: Store
    private let stopped = Atomic<Bool>(false)

    init(upstream: Upstream, store: Store) {
        self.upstream = upstream
        self.store = store
    }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: Self.sweepInterval)
                sweep()
            }
        }
        thread.name = "kube-front-collector"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    /// After a forwarded request.
    func forwarded(_ request: EmulatorRequest, target: ResourceTarget, reply: EmulatorReply) {
        guard ["DELETE", "PATCH", "PUT"].contains(request.method), case .full(let status, _, let body) = reply,
            status < 300
        else { return }
        if target.group == Front.apiextensionsGroup || target.name == nil {
            if request.method == "DELETE" { sweep() }
            return
        }
        guard let path = target.objectPath, let object = try? JSONCodec.parse(body) else { return }
        let deleting = object.at(["metadata", "deletionTimestamp"]) != nil
        guard request.method == "DELETE" || deleting else { return }
        let uid = object.at(["metadata", "uid"])?.stringValue ?? object.at(["details", "uid"])?.stringValue ?? ""
        guard !uid.isEmpty else { return }
        let finalizers = (object.at(["metadata", "finalizers"])?.arrayValue ?? []).compactMap(\.stringValue)
        if finalizers.contains(GarbageCollector.orphanFinalizer) {
            store.orphanDependents(of: uid)
            removeFinalizer(GarbageCollector.orphanFinalizer, at: path, uid: uid)
        }
        if finalizers.contains(GarbageCollector.foregroundFinalizer) {
            store.deleteDependents(of: uid)
            removeFinalizer(GarbageCollector.foregroundFinalizer, at: path, uid: uid)
        }
        settle(path: path, uid: uid)
    }

    /// Lets the dependents go once the owner at `path` is gone (or replaced by another with its name).
    private func settle(path: String, uid: String) {
        let response = upstream.send("GET", path, headers: [(name: "Accept", value: "application/json")])
        let present = response.status == 200 && response.json?.at(["metadata", "uid"])?.stringValue == uid
        if response.status == 404 || (response.status == 200 && !present) { store.upstreamOwnerGone(uid) }
    }

    /// Removes one finalizer the garbage collector owns, compare-and-swap on the resourceVersion.
    private func removeFinalizer(_ finalizer: String, at path: String, uid: String) {
        for _ in 0..<5 {
            guard let object = upstream.get(path), object.at(["metadata", "uid"])?.stringValue == uid else { return }
            let finalizers = (object.at(["metadata", "finalizers"])?.arrayValue ?? []).compactMap(\.stringValue)
            guard finalizers.contains(finalizer) else { return }
            let patch: JSONValue = [
                [
                    "op": "test", "path": "/metadata/resourceVersion",
                    "value": object.at(["metadata", "resourceVersion"]) ?? .null,
                ],
                [
                    "op": "replace", "path": "/metadata/finalizers",
                    "value": .array(finalizers.filter { $0 != finalizer }.map { .string($0) }),
                ],
            ]
            let response = upstream.send(
                "PATCH", path, headers: [(name: "Content-Type", value: "application/json-patch+json")],
                body: JSONCodec.bytes(patch))
            if response.status == 200 { return }
        }
    }

    /// Checks every upstream owner that something here refers to.
    func sweep() {
        let refs = store.upstreamOwnerReferences()
        guard !refs.isEmpty, let crds = Front.crdsFrom(upstream) else { return }
        var registry = CRDRegistry()
        registry.rebuild(from: crds)
        for ref in refs {
            let group = UpstreamOwners.group(ofAPIVersion: ref.apiVersion)
            guard let type = registry.custom.first(where: { $0.group == group && $0.kind == ref.kind }) else {
                store.upstreamOwnerGone(ref.uid)
                continue
            }
            let scope = type.namespaced ? "/namespaces/\(ref.namespace)" : ""
            settle(path: "/apis/\(group)/\(type.version)\(scope)/\(type.plural)/\(ref.name)", uid: ref.uid)
        }
    }

    /// A namespace was deleted here: so are its custom resources upstream (what the namespace
    /// controller does). Their finalizers run as usual.
    func namespaceDeleted(_ namespace: String, types: [ResourceType]) {
        var seen: Set<GroupResource> = []
        for type in types where type.namespaced && seen.insert(type.groupResource).inserted {
            _ = upstream.send("DELETE", "/apis/\(type.group)/\(type.version)/namespaces/\(namespace)/\(type.plural)")
        }
    }
}

extension Front {
    /// Every CRD on the real server (Established or not), or nil when it does not answer.
    static func crdsFrom(_ upstream: Upstream) -> [String: JSONValue]? {
        guard let items = upstream.get(crdList)?["items"]?.arrayValue else { return nil }
        var byKey: [String: JSONValue] = [:]
        for crd in items { byKey["/" + (crd.at(["metadata", "name"])?.stringValue ?? "")] = crd }
        return byKey
    }
}
