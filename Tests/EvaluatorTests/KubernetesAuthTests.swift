import AssayCore
import Foundation
import TestSupport
import Testing

/// `serve --auth kubernetes` against the Kubernetes emulator: ServiceAccount tokens are checked
/// with TokenReview and permissions with SubjectAccessReview, from the RBAC the test applies.
@Suite(
    "assay-evaluator serve --auth kubernetes", .serialized,
    .enabled(if: EmulatorProcess.isAvailable && BuiltExecutable.path(BuiltExecutable.evaluator) != nil))
struct KubernetesAuthTests {
    /// `caller` may create evaluations in `default` (through config/rbac/callers.yaml's role);
    /// `stranger` is a ServiceAccount with no binding.
    static let binding = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: caller-evaluates, namespace: default}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: assay-evaluation-client}
        subjects: [{kind: ServiceAccount, name: caller, namespace: default}]
        """

    static let body = #"{"output": "Paris", "criteria": [{"type": "contains", "value": "Paris"}]}"#

    /// The emulator with config/rbac/callers.yaml's roles and ``binding`` applied.
    static func cluster() throws -> EmulatorProcess {
        let kube = try EmulatorProcess()
        let callers = try kube.kubectl(["apply", "-f", Repository.path("config/rbac/callers.yaml")])
        try #require(callers.status == 0, "\(callers.combined)")
        let bound = try kube.kubectl(["apply", "-f", try kube.write("binding.yaml", Self.binding)])
        try #require(bound.status == 0, "\(bound.combined)")
        return kube
    }

    /// `serve --auth kubernetes` against `kube`, with `arguments` added; returns it and its port.
    static func serve(_ kube: EmulatorProcess, _ arguments: [String] = []) async throws -> (ChildProcess, Substring) {
        let server = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["serve", "--port", "0", "--auth", "kubernetes", "--kubeconfig", kube.kubeconfig] + arguments)
        let line = try await server.waitForLine("the listening log line") { $0.contains("\"listening\"") }
        return (server, try #require(line.firstMatch(of: /"address":"127\.0\.0\.1:(\d+)"/)).1)
    }

    @Test("an allowed ServiceAccount evaluates, a denied one gets 403, a bad token 401; reviews are cached")
    func allowedAndDenied() async throws {
        let kube = try Self.cluster()
        defer { kube.stop() }
        let allowed = try kube.token(serviceAccount: "caller")
        let denied = try kube.token(serviceAccount: "stranger")

        let (server, port) = try await Self.serve(kube)
        defer { server.signal(SIGKILL) }
        let url = "http://127.0.0.1:\(port)/v1/evaluate"
        let body = Self.body

        let ok = try await LocalHTTP.send("POST", url, body: body, token: allowed)
        #expect(ok.status == 200, "\(ok.body)")
        let forbidden = try await LocalHTTP.send("POST", url, body: body, token: denied)
        #expect(forbidden.status == 403)
        let problem = try JSONParser.parse(Array(forbidden.body.utf8))
        #expect(problem["type"] == "urn:assay:problem:forbidden")
        #expect(
            problem["detail"]?.stringValue?.hasPrefix(
                "user \"system:serviceaccount:default:stranger\" may not create evaluations.eval.assay.dev in namespace \"default\""
            ) == true, "\(problem)")
        #expect(try await LocalHTTP.send("POST", url, body: body, token: allowed + "x").status == 401)
        #expect(try await LocalHTTP.send("POST", url, body: body).status == 401)
        #expect(
            try await LocalHTTP.get("http://127.0.0.1:\(port)/v1/providers", token: denied).status == 403)
        for _ in 0..<5 { #expect(try await LocalHTTP.send("POST", url, body: body, token: allowed).status == 200) }

        // Three tokens reviewed once each; two users asked about once each (providers is the same
        // permission as evaluating): the caches answered the rest.
        let counts = try JSONParser.parse(Array(try await LocalHTTP.get(kube.baseURL + "/emulator/requests").body.utf8))
        let evaluator = counts["byAgent"]?["assay-evaluator"]
        #expect(evaluator?["tokenreviews.authentication.k8s.io"]?["create"] == 3, "\(counts)")
        #expect(evaluator?["subjectaccessreviews.authorization.k8s.io"]?["create"] == 2, "\(counts)")

        server.signal(SIGTERM)
        _ = try await server.waitForExit()
        let log = server.output.joined(separator: "\n")
        #expect(log.contains(#""status":"200","user":"system:serviceaccount:default:caller""#))
        #expect(log.contains(#""status":"403","user":"system:serviceaccount:default:stranger""#))
        #expect(!log.contains(allowed) && !log.contains(denied), "tokens never reach the log")
    }

    @Test(
        "with --auth-token-audiences only tokens issued for that audience are accepted; one for the API server gets 401"
    )
    func audiences() async throws {
        let kube = try Self.cluster()
        defer { kube.stop() }
        let scoped = try kube.token(serviceAccount: "caller", audience: "eval.assay.dev")
        let apiServer = try kube.token(serviceAccount: "caller", create: false)

        let (server, port) = try await Self.serve(kube, ["--auth-token-audiences", "eval.assay.dev"])
        defer { server.signal(SIGKILL) }
        let url = "http://127.0.0.1:\(port)/v1/evaluate"
        let body = Self.body
        let ok = try await LocalHTTP.send("POST", url, body: body, token: scoped)
        #expect(ok.status == 200, "\(ok.body)")
        let refused = try await LocalHTTP.send("POST", url, body: body, token: apiServer)
        #expect(refused.status == 401, "a token for the API server is not one for this evaluator: \(refused.body)")
        #expect(server.output.contains { $0.contains(#""audiences":"eval.assay.dev""#) }, "\(server.output)")
    }
}
