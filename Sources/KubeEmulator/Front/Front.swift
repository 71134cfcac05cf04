import AssayCore
import Foundation

/// Front mode (`--upstream-kubeconfig`): the emulator serves the built-in groups itself and hands
/// `apiextensions.k8s.io` and every custom-resource group to a real API server (Kubernetes'
/// apiextensions-apiserver, see `tools/kube-real`), the way kube-apiserver's aggregation layer hands
/// them to the same server in a cluster. Clients see one API:
///
/// - `/apis` lists the emulator's groups, `apiextensions.k8s.io` and the group of every Established
///   CRD on the real server; `/apis/<group>[/<version>]` of those groups is the real server's.
/// - `/openapi/v3` indexes both; custom groups' documents are built from the CRDs' schemas (the real
///   server, run alone, does not publish them), `apiextensions.k8s.io`'s is the real server's.
/// - Every request under an upstream group is forwarded as it is (watches streamed), with the
///   caller's `Accept`, `Content-Type` and `User-Agent` (the real server names field managers after it).
/// - Creating a custom resource needs its namespace here, as kube-apiserver's NamespaceLifecycle
///   admission requires; deleting a namespace deletes its custom resources upstream.
/// - The garbage collector keeps working across the two (``FrontCollector``).
final class Front: Sendable {
    static let apiextensionsGroup = "apiextensions.k8s.io"
    static let crdList = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

    let upstream: Upstream
    let store: Store
    let collector: FrontCollector

    init(upstream: Upstream, store: Store) {
        self.upstream = upstream
        self.store = store
        store.enableUpstreamOwners()
        collector = FrontCollector(upstream: upstream, store: store)
        collector.start()
    }

    func stop() { collector.stop() }

    // MARK: The real server's CRDs

    /// The CRDs on the real server by store key (`/name`), or nil when it does not answer.
    func crds(establishedOnly: Bool) -> [String: JSONValue]? {
        guard let all = Self.crdsFrom(upstream) else { return nil }
        guard establishedOnly else { return all }
        return all.filter { _, crd in
            (crd.at(["status", "conditions"])?.arrayValue ?? []).contains {
                $0["type"] == "Established" && $0["status"] == "True"
            }
        }
    }

    /// The custom resource types the real server serves (every served version; storage versions first).
    func customTypes(establishedOnly: Bool = true) -> [ResourceType]? {
        guard let crds = crds(establishedOnly: establishedOnly) else { return nil }
        var registry = CRDRegistry()
        registry.rebuild(from: crds)
        return registry.custom
    }

    static func isUpstream(group: String) -> Bool { !UpstreamOwners.localGroups.contains(group) }

    // MARK: Requests

    /// The answer to a request the real server owns, or whose answer merges both servers; nil for
    /// the emulator's own requests.
    func handle(_ request: EmulatorRequest, label: inout RequestCounter.Label) -> EmulatorReply? {
        let segments = request.path.split(separator: "/").map(String.init)
        if request.method == "GET" {
            switch request.path {
            case "/apis", "/apis/": return APIServer.reply(200, groupList())
            case "/openapi/v3", "/openapi/v3/": return APIServer.reply(200, openAPIIndex())
            default: break
            }
            if segments.count >= 4, segments[0] == "openapi", segments[1] == "v3", segments[2] == "apis",
                Self.isUpstream(group: segments[3])
            {
                if segments[3] == Self.apiextensionsGroup { return forward(request) }
                let path = segments.dropFirst(2).joined(separator: "/")
                guard let document = OpenAPI.groupVersion(customTypes() ?? [], path: path, builtins: nil) else {
                    return APIServer.reply(APIError.pathNotFound())
                }
                return APIServer.reply(200, document)
            }
        }
        guard segments.count >= 2, segments[0] == "apis", Self.isUpstream(group: segments[1]) else { return nil }
        let target = ResourceTarget(segments)
        if let resource = target.resource {
            label = RequestCounter.Label(
                verb: RequestCounter.verb(
                    method: request.method, named: target.name != nil, watch: target.isWatch(request)),
                resource: GroupResource(group: target.group, resource: resource).display
                    + (target.subresource.map { "/\($0)" } ?? ""))
        }
        if let refused = admitNamespace(request, target) { return refused }
        let reply = forward(request, watch: target.isWatch(request))
        collector.forwarded(request, target: target, reply: reply)
        return reply
    }

    /// After the emulator served a request itself: a deleted namespace takes its custom resources along.
    func served(_ request: EmulatorRequest, reply: EmulatorReply) {
        let segments = request.path.split(separator: "/")
        guard request.method == "DELETE", segments.count == 4, segments[0] == "api", segments[2] == "namespaces",
            case .full(let status, _, _) = reply, status == 200 || status == 202
        else { return }
        collector.namespaceDeleted(String(segments[3]), types: customTypes(establishedOnly: false) ?? [])
    }

    private func forward(_ request: EmulatorRequest, watch: Bool = false) -> EmulatorReply {
        var headers: [(name: String, value: String)] = []
        for name in ["accept", "content-type", "user-agent"] {
            if let value = request.header(name) { headers.append((name: name, value: value)) }
        }
        if watch { return upstream.stream(request.method, request.target, headers: headers) }
        let response = upstream.send(request.method, request.target, headers: headers, body: request.body)
        return .full(status: response.status, headers: Upstream.passed(response.headers), body: response.body)
    }

    /// NamespaceLifecycle: no custom resource is created in a namespace that does not exist here, or
    /// that is being deleted.
    private func admitNamespace(_ request: EmulatorRequest, _ target: ResourceTarget) -> EmulatorReply? {
        guard let namespace = target.namespace, target.subresource == nil else { return nil }
        let isApply = (request.header("content-type") ?? "").hasPrefix("application/apply-patch")
        guard (request.method == "POST" && target.name == nil) || (request.method == "PATCH" && isApply) else {
            return nil
        }
        let namespaces = BuiltinResources.all.first { $0.groupResource == Store.State.namespaces }!
        guard let found = try? store.get(namespaces, namespace: "", name: namespace) else {
            return APIServer.reply(APIError.notFound(Store.State.namespaces, namespace))
        }
        guard found.at(["metadata", "deletionTimestamp"]) == nil else {
            let name = target.name ?? ""
            return APIServer.reply(
                APIError(
                    code: 403, reason: "Forbidden",
                    message: "\(target.resource ?? "") \"\(name)\" is forbidden: unable to create new content in "
                        + "namespace \(namespace) because it is being terminated", name: name, group: target.group,
                    kind: target.resource ?? ""))
        }
        return nil
    }

    // MARK: Merged discovery

    private func groupList() -> JSONValue {
        var groups = store.registry.groups.filter { !Self.isUpstream(group: $0.name) }
        groups.append((Self.apiextensionsGroup, ["v1"]))
        var registry = CRDRegistry()
        registry.rebuild(from: crds(establishedOnly: true) ?? [:])
        groups += registry.groups.filter { Self.isUpstream(group: $0.name) && $0.name != Self.apiextensionsGroup }
        return [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(groups.map { Discovery.group($0.name, versions: $0.versions) }),
        ]
    }

    private func openAPIIndex() -> JSONValue {
        let local = store.registry.all.filter { !Self.isUpstream(group: $0.group) }
        guard case .object(var index) = OpenAPI.index(local + (customTypes() ?? [])),
            case .object(var paths) = index["paths"] ?? .null
        else { return OpenAPI.index(local) }
        let path = "apis/\(Self.apiextensionsGroup)/v1"
        paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)")]
        index["paths"] = .object(paths)
        return .object(index)
    }
}

/// A request path under `/apis/<group>/<version>`, taken apart.
struct ResourceTarget: Sendable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String?
    var name: String?
    var subresource: String?

    init(_ segments: [String]) {
        group = segments.count > 1 ? segments[1] : ""
        version = segments.count > 2 ? segments[2] : ""
        var rest = Array(segments.dropFirst(3))
        // No custom resource is called "namespaces", so a path with it names a namespace.
        if rest.count >= 3, rest[0] == "namespaces" {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        resource = rest.first
        name = rest.count > 1 ? rest[1] : nil
        subresource = rest.count > 2 ? rest[2] : nil
    }

    func isWatch(_ request: EmulatorRequest) -> Bool {
        request.method == "GET" && name == nil && ["true", "1"].contains(request.query["watch"] ?? "")
    }

    /// The object's path without its subresource.
    var objectPath: String? {
        guard let resource, let name else { return nil }
        let scope = namespace.map { "/namespaces/\($0)" } ?? ""
        return "/apis/\(group)/\(version)\(scope)/\(resource)/\(name)"
    }
}
