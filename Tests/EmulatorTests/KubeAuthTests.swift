import AssayCore
import Foundation
import Testing

@testable import KubeEmulator

/// TokenReview, SubjectAccessReview and ServiceAccount tokens, which let `--auth kubernetes` run
/// end to end against the emulator.
@Suite("Kubernetes emulator: tokens, TokenReview and SubjectAccessReview", .serialized)
struct KubeAuthTests {
    /// Namespaces a and b, ServiceAccounts, and RBAC objects every kind of subject and rule uses.
    static let rbacYAML = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: b}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: caller, namespace: a}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: evaluate, namespace: a}
        rules:
        - {apiGroups: [eval.assay.dev], resources: [evaluations], verbs: [create]}
        - {apiGroups: [eval.assay.dev], resources: [evaluationsuites], resourceNames: [mine], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: evaluate, namespace: a}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: evaluate}
        subjects: [{kind: ServiceAccount, name: caller}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: results-reader}
        rules:
        - {apiGroups: [eval.assay.dev], resources: [evaluationsuites/results], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: team-results, namespace: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: results-reader}
        subjects: [{kind: Group, name: team}, {kind: User, name: alice}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: delegator}
        rules:
        - {apiGroups: [authentication.k8s.io], resources: [tokenreviews], verbs: ["*"]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: delegator}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: delegator}
        subjects: [{kind: ServiceAccount, name: caller, namespace: a}]
        """

    static let caller = "system:serviceaccount:a:caller"

    struct Case: Sendable, CustomTestStringConvertible {
        var user: String
        var groups: [String] = []
        var namespace: String
        var verb: String
        var group = "eval.assay.dev"
        var resource: String
        var subresource = ""
        var name = ""
        var allowed: Bool
        var testDescription: String {
            "\(user) \(verb) \(resource)\(subresource.isEmpty ? "" : "/\(subresource)") \(name) in \(namespace): \(allowed)"
        }
    }

    static let cases: [Case] = [
        Case(user: caller, namespace: "a", verb: "create", resource: "evaluations", allowed: true),
        Case(user: caller, namespace: "b", verb: "create", resource: "evaluations", allowed: false),
        Case(user: caller, namespace: "a", verb: "get", resource: "evaluations", allowed: false),
        Case(user: caller, namespace: "a", verb: "get", resource: "evaluationsuites", name: "mine", allowed: true),
        Case(user: caller, namespace: "a", verb: "get", resource: "evaluationsuites", name: "theirs", allowed: false),
        Case(
            user: caller, namespace: "a", verb: "get", resource: "evaluationsuites", subresource: "results",
            name: "mine", allowed: false),
        Case(
            user: "bob", groups: ["team"], namespace: "b", verb: "get", resource: "evaluationsuites",
            subresource: "results", allowed: true),
        Case(
            user: "bob", groups: ["team"], namespace: "a", verb: "get", resource: "evaluationsuites",
            subresource: "results", allowed: false),
        Case(
            user: "alice", namespace: "b", verb: "get", resource: "evaluationsuites", subresource: "results",
            allowed: true),
        Case(user: "alice", namespace: "b", verb: "create", resource: "evaluations", allowed: false),
        Case(
            user: caller, namespace: "", verb: "create", group: "authentication.k8s.io", resource: "tokenreviews",
            allowed: true),
        Case(
            user: "mallory", namespace: "", verb: "create", group: "authentication.k8s.io",
            resource: "tokenreviews", allowed: false),
        Case(
            user: "root", groups: ["system:masters"], namespace: "b", verb: "delete", resource: "anything",
            allowed: true),
    ]

    @Test(
        "SubjectAccessReview answers from Roles, ClusterRoles and their bindings", .enabled(if: Kubectl.available),
        arguments: cases)
    func subjectAccessReview(_ check: Case) throws {
        try Kubectl.withEmulator { kubectl, emulator in
            let applied = try kubectl.run(["apply", "-f", try kubectl.write("rbac.yaml", Self.rbacYAML)])
            try #require(applied.status == 0, "\(applied.error)")
            var attributes = JSONObject([
                ("namespace", .string(check.namespace)), ("verb", .string(check.verb)),
                ("group", .string(check.group)), ("resource", .string(check.resource)),
            ])
            if !check.subresource.isEmpty { attributes["subresource"] = .string(check.subresource) }
            if !check.name.isEmpty { attributes["name"] = .string(check.name) }
            let review: JSONValue = [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": [
                    "user": .string(check.user), "groups": .array(check.groups.map { .string($0) }),
                    "resourceAttributes": .object(attributes),
                ],
            ]
            let answer = emulator.server.call(
                "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: review)
            #expect(answer.status == 201)
            #expect(answer.body["status"]?["allowed"] == .bool(check.allowed), "\(answer.body)")
        }
    }

    @Test(
        "kubectl creates a ServiceAccount and a token for it; TokenReview names its user until the account goes",
        .enabled(if: Kubectl.available))
    func tokens() throws {
        try Kubectl.withEmulator { kubectl, emulator in
            #expect(try kubectl.run(["create", "serviceaccount", "caller"]).status == 0)
            let created = try kubectl.run(["create", "token", "caller", "--duration", "20m"])
            try #require(created.status == 0, "\(created.error)")
            let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!token.isEmpty)

            func review(_ token: String) -> JSONValue {
                emulator.server.call(
                    "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                    body: [
                        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                        "spec": ["token": .string(token)],
                    ],
                    headers: ["user-agent": "assay-evaluator/test"]
                ).body["status"] ?? .null
            }
            let status = review(token)
            #expect(status["authenticated"] == true)
            #expect(status["user"]?["username"] == "system:serviceaccount:default:caller")
            #expect(
                status["user"]?["groups"]
                    == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
            #expect(review(token + "x")["authenticated"] == false)
            #expect(review(Kubeconfig.dummyToken)["user"]?["groups"]?.arrayValue?.contains("system:masters") == true)
            let short = try kubectl.run(["create", "token", "caller", "--duration", "1m"])
            #expect(short.status != 0, "tokens live at least 10 minutes, as on a real API server")

            #expect(try kubectl.run(["delete", "serviceaccount", "caller"]).status == 0)
            #expect(review(token)["authenticated"] == false, "a deleted account's tokens stop working")
            #expect(try kubectl.run(["create", "token", "caller"]).status != 0)

            let counts = emulator.server.call("GET", "/emulator/requests").body
            #expect(counts["byAgent"]?["assay-evaluator"]?["tokenreviews.authentication.k8s.io"]?["create"] == 4)
            #expect(counts["byResource"]?["serviceaccounts/token"]?["create"] != nil)
        }
    }

    @Test(
        "a token requested for an audience reviews only for that audience, and a plain one only for the API server's",
        .enabled(if: Kubectl.available))
    func audiences() throws {
        try Kubectl.withEmulator { kubectl, emulator in
            #expect(try kubectl.run(["create", "serviceaccount", "caller"]).status == 0)
            let created = try kubectl.run(["create", "token", "caller", "--audience", "eval.assay.dev"])
            try #require(created.status == 0, "\(created.error)")
            let scoped = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let plain = try kubectl.run(["create", "token", "caller"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)

            func review(_ token: String, _ audiences: [String]?) -> JSONValue {
                var spec = JSONObject([("token", .string(token))])
                if let audiences { spec["audiences"] = .array(audiences.map { .string($0) }) }
                return emulator.server.call(
                    "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                    body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": .object(spec)]
                ).body["status"] ?? .null
            }
            let apiServer = "https://kubernetes.default.svc.cluster.local"
            let granted = review(scoped, ["other", "eval.assay.dev"])
            #expect(granted["authenticated"] == true)
            #expect(granted["audiences"] == ["eval.assay.dev"], "the intersection, as the real server answers")
            let wrongAudience = review(scoped, nil)
            #expect(wrongAudience["authenticated"] == false, "a scoped token is not valid for the API server")
            #expect(
                wrongAudience["error"]?.stringValue
                    == #"token audiences ["eval.assay.dev"] is invalid for the target audiences ["\#(apiServer)"]"#)
            #expect(review(plain, nil)["audiences"] == .array([.string(apiServer)]))
            #expect(review(plain, ["eval.assay.dev"])["authenticated"] == false)
            #expect(review(Kubeconfig.dummyToken, ["eval.assay.dev"])["authenticated"] == false)
        }
    }
}
