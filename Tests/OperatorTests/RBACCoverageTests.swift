import AssayCore
import Foundation
import TestSupport
import Testing

/// Least privilege checked against behaviour: the emulator counts every request by client
/// (`User-Agent`), and what the operator and the evaluators really call over a suite's whole life
/// must be exactly what config/rbac grants them.
@Suite(
    "RBAC grants exactly what the operator and the evaluators call", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct RBACCoverageTests {
    /// A permission: API group, resource (with subresource) and verb.
    struct Permission: Hashable, Comparable, CustomStringConvertible {
        var group: String
        var resource: String
        var verb: String

        var description: String { "\(group.isEmpty ? "core" : group) \(resource) \(verb)" }
        static func < (a: Permission, b: Permission) -> Bool { a.description < b.description }
    }

    /// Granted but never requested, and why that is still needed.
    static let grantedForAdmission: Set<Permission> = [
        // Server-side apply that creates an object is authorized as create as well as patch.
        Permission(group: "apps", resource: "deployments", verb: "create"),
        Permission(group: "", resource: "services", verb: "create"),
        Permission(group: "autoscaling", resource: "horizontalpodautoscalers", verb: "create"),
        // Setting blockOwnerDeletion on children needs update on the owner's finalizers
        // (OwnerReferencesPermissionEnforcement); no request goes to that subresource.
        Permission(group: "eval.assay.dev", resource: "evaluationsuites/finalizers", verb: "update"),
    ]

    /// Every permission the ClusterRoles and Roles in `file` grant.
    static func granted(_ file: String) throws -> Set<Permission> {
        var result: Set<Permission> = []
        for document in try YAMLLoader.loadAll(try Repository.read(file)) {
            guard ["ClusterRole", "Role"].contains(document["kind"]?.stringValue ?? "") else { continue }
            for rule in document["rules"]?.arrayValue ?? [] {
                for group in rule["apiGroups"]?.arrayValue ?? [] {
                    for resource in rule["resources"]?.arrayValue ?? [] {
                        for verb in rule["verbs"]?.arrayValue ?? [] {
                            result.insert(
                                Permission(
                                    group: group.stringValue ?? "", resource: resource.stringValue ?? "",
                                    verb: verb.stringValue ?? ""))
                        }
                    }
                }
            }
        }
        return result
    }

    /// What `agent` requested, from the emulator's counts (`deployments.apps/status` → apps,
    /// deployments/status).
    static func used(_ counts: JSONValue, agent: String) -> Set<Permission> {
        var result: Set<Permission> = []
        for (name, verbs) in counts["byAgent"]?[agent]?.objectValue ?? JSONObject() {
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            let groupResource = parts[0]
            let subresource = parts.count > 1 ? "/" + parts[1] : ""
            let resource: String
            let group: String
            if let dot = groupResource.firstIndex(of: ".") {
                resource = String(groupResource[..<dot])
                group = String(groupResource[groupResource.index(after: dot)...])
            } else {
                resource = groupResource
                group = ""
            }
            for (verb, _) in verbs.objectValue ?? JSONObject() {
                result.insert(Permission(group: group, resource: resource + subresource, verb: verb))
            }
        }
        return result
    }

    @Test(
        "over a suite's whole life the operator and the evaluators use every permission they are granted and no other")
    func exactPermissions() async throws {
        // Cases slow enough that the evaluators write progress (every 0.3 s) before the run ends.
        try await OperatorFixture.with(operators: 1, leaderElect: true, podEnvironment: ["ASSAY_CASE_DELAY_MS": "400"])
        {
            fixture in
            let dataset = (0..<6).map {
                "{\"id\": \"c\($0)\", \"input\": \"case \($0)\", \"reference\": \"case \($0)\"}"
            }
            _ = try fixture.kubectl([
                "create", "configmap", "rbac-cases", "--from-literal=cases.jsonl=" + dataset.joined(separator: "\n"),
            ])
            // A caller of the evaluators' API (--auth kubernetes): its reviews are the evaluators' and
            // the operator's TokenReview and SubjectAccessReview requests.
            _ = try fixture.kubectl(["apply", "-f", Repository.path("config/rbac/callers.yaml")])
            let binding = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: caller, namespace: default}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: assay-evaluation-client}
                subjects: [{kind: ServiceAccount, name: caller, namespace: default}]
                """
            _ = try fixture.kubectl(["apply", "-f", try fixture.directory.write("caller.yaml", binding)])
            let token = try fixture.emulator.token(serviceAccount: "caller")
            let fromConfigMap = fixture.suiteYAML("rbac", cases: 1, concurrency: 1).replacingOccurrences(
                of: "    cases:\n    - {id: c0, input: \"case 0\", reference: \"case 0\"}",
                with: "    configMap: {name: rbac-cases, key: cases.jsonl}")
            #expect(try fixture.apply(fromConfigMap, as: "rbac").status == 0)
            try await fixture.kubelet.waitUntil("an evaluator serves") {
                $0.pods(of: "rbac-evaluators").contains(where: \.isReady)
            }
            let pod = try #require(fixture.kubelet.pods(of: "rbac-evaluators").first(where: \.isReady)?.baseURL)
            let evaluated = try await LocalHTTP.send(
                "POST", pod + "/v1/evaluate",
                body: #"{"output": "x", "criteria": [{"type": "contains", "value": "x"}]}"#,
                token: token)
            #expect(evaluated.status == 200, "\(evaluated.body)")
            let done = try await fixture.waitForPhase("rbac", "Succeeded")
            #expect(OperatorFixture.int(done["progress"]?["completed"]) == 6)
            let run = try #require(done["runID"]?.stringValue)
            let results = try await fixture.operators[0].get("/v1/runs/\(run)", token: EmulatorProcess.adminToken)
            #expect(results.status == 200, "\(results.body)")
            // An edit that breaks the spec removes the children; deleting the suite cleans Redis.
            let broken = fromConfigMap.replacingOccurrences(of: "method: tokenF1", with: "method: telepathy")
            #expect(try fixture.apply(broken, as: "rbac").status == 0)
            try await fixture.waitForPhase("rbac", "Invalid")
            try await eventually("the children are removed") {
                try await !fixture.exists(.service, "rbac-evaluators")
            }
            _ = try fixture.kubectl(["delete", "evaluationsuite", "rbac", "--wait=true", "--timeout=30s"])

            let response = try await LocalHTTP.get(fixture.emulator.baseURL + "/emulator/requests")
            let counts = try JSONParser.parse(Array(response.body.utf8))
            let operatorUsed = Self.used(counts, agent: "assay-operator")
            let operatorGranted = try Self.granted("config/rbac/operator.yaml")
            #expect(operatorUsed.subtracting(operatorGranted).sorted() == [], "requested without a grant")
            #expect(
                operatorGranted.subtracting(operatorUsed).subtracting(Self.grantedForAdmission).sorted() == [],
                "granted but never requested")
            let evaluatorUsed = Self.used(counts, agent: "assay-evaluator")
            let evaluatorGranted = try Self.granted("config/rbac/evaluator.yaml")
            #expect(!evaluatorUsed.isEmpty)
            #expect(evaluatorUsed.subtracting(evaluatorGranted).sorted() == [], "requested without a grant")
            #expect(evaluatorGranted.subtracting(evaluatorUsed).sorted() == [], "granted but never requested")
        }
    }
}
