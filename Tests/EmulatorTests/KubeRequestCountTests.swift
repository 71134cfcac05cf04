import AssayCore
import Dispatch
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator request counts")
struct KubeRequestCountTests {
    let configMaps = "/api/v1/namespaces/default/configmaps"
    let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static let deployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
        "spec": [
            "selector": ["matchLabels": ["app": "web"]],
            "template": [
                "metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "web:1"]]],
            ],
        ],
    ]

    static func count(_ counts: JSONValue, _ path: String...) -> Int? {
        counts.at(path)?.doubleValue.map { Int($0) }
    }

    @Test("GET /emulator/requests counts requests by verb and resource, and the reset zeroes them")
    func countsAndReset() throws {
        let server = APIServer(store: Store())
        #expect(server.call("GET", "/version").status == 200)
        #expect(server.call("GET", "/apis").status == 200)
        #expect(server.call("POST", configMaps, body: KubeObjectFixtures.configMap("a")).status == 201)
        #expect(server.call("POST", configMaps, body: KubeObjectFixtures.configMap("a")).status == 409)
        #expect(server.call("GET", configMaps + "/a").status == 200)
        #expect(server.call("GET", configMaps).status == 200)
        #expect(server.call("GET", configMaps + "?watch=true&timeoutSeconds=1").status == 200)
        let merge = ["content-type": "application/merge-patch+json"]
        #expect(server.call("PATCH", configMaps + "/a", body: ["data": ["k": "w"]], headers: merge).status == 200)
        // A patch that changes nothing is still a write request.
        #expect(server.call("PATCH", configMaps + "/a", body: ["data": ["k": "w"]], headers: merge).status == 200)
        #expect(server.call("POST", deployments, body: Self.deployment).status == 201)
        #expect(
            server.call("PATCH", deployments + "/web/status", body: ["status": ["replicas": 1]], headers: merge)
                .status == 200)
        let current = server.call("GET", deployments + "/web").body
        #expect(server.call("PUT", deployments + "/web", body: current).status == 200)
        #expect(server.call("DELETE", configMaps + "/a").status == 200)
        #expect(server.call("DELETE", configMaps).status == 200)
        #expect(server.call("GET", "/apis/nothing.example/v1/things").status == 404)
        let agent = ["user-agent": "assay-operator/1 (linux)"]
        #expect(server.call("GET", configMaps + "/missing", headers: agent).status == 404)
        // Hooks are not counted, nor is reading the counts.
        #expect(server.call("POST", "/emulator/drop-watches").status == 200)
        _ = server.call("GET", "/emulator/requests")

        let counts = server.call("GET", "/emulator/requests")
        #expect(counts.status == 200)
        let body = counts.body
        #expect(Self.count(body, "total") == 17)
        #expect(Self.count(body, "writes") == 9)
        #expect(Self.count(body, "byVerb", "get") == 6)
        #expect(Self.count(body, "byVerb", "list") == 1)
        #expect(Self.count(body, "byVerb", "watch") == 1)
        #expect(Self.count(body, "byVerb", "create") == 3)
        #expect(Self.count(body, "byVerb", "update") == 1)
        #expect(Self.count(body, "byVerb", "patch") == 3)
        #expect(Self.count(body, "byVerb", "delete") == 1)
        #expect(Self.count(body, "byVerb", "deletecollection") == 1)
        let configMapCounts: JSONValue = [
            "create": 2, "delete": 1, "deletecollection": 1, "get": 2, "list": 1, "patch": 2, "watch": 1,
        ]
        #expect(body.at(["byResource", "configmaps"]) == configMapCounts)
        #expect(body.at(["byResource", "deployments.apps"]) == ["create": 1, "get": 1, "update": 1])
        #expect(body.at(["byResource", "deployments.apps/status"]) == ["patch": 1])
        #expect(body.at(["byResource", "nonResource"]) == ["get": 3])
        // By client: the User-Agent's name, and "unknown" for requests without one.
        #expect(body.at(["byAgent", "assay-operator"]) == ["configmaps": ["get": 1]])
        #expect(body.at(["byAgent", "unknown", "configmaps", "get"]) == 1)

        #expect(server.call("POST", "/emulator/requests/reset").status == 200)
        let reset = server.call("GET", "/emulator/requests").body
        #expect(Self.count(reset, "total") == 0)
        #expect(Self.count(reset, "writes") == 0)
        #expect(reset.at(["byVerb"])?.objectValue?.allSatisfy { $0.value == 0 } == true)
        #expect(reset.at(["byResource"]) == .object(JSONObject()))
        _ = server.call("GET", configMaps)
        #expect(Self.count(server.call("GET", "/emulator/requests").body, "byVerb", "list") == 1)
    }

    @Test("requests from many threads at once are each counted")
    func concurrentRequests() {
        let server = APIServer(store: Store())
        DispatchQueue.concurrentPerform(iterations: 400) { index in
            if index.isMultiple(of: 2) {
                _ = server.call("POST", configMaps, body: KubeObjectFixtures.configMap("c\(index)"))
            } else {
                _ = server.call("GET", configMaps)
            }
        }
        let counts = server.call("GET", "/emulator/requests").body
        #expect(Self.count(counts, "total") == 400)
        #expect(Self.count(counts, "writes") == 200)
        #expect(counts.at(["byResource", "configmaps"]) == ["create": 200, "list": 200])
    }
}
