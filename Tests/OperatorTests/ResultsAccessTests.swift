import AssayCore
import Foundation
import TestSupport
import Testing

/// The results endpoint the operator serves (each suite's `status.resultsURL`) authorizes every
/// read with a SubjectAccessReview against the suite's namespace, and no secret of the run shows
/// up anywhere a user or a log collector can read.
@Suite(
    "The operator's results endpoint across namespaces", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct ResultsAccessTests {
    static let namespaces = ["team-a", "team-b"]

    /// The namespace, the provider-key Secret, and a `reader` ServiceAccount bound to
    /// config/rbac/callers.yaml's `assay-results-reader` there.
    static func prepare(_ namespace: String, in fixture: OperatorFixture) throws -> String {
        _ = try fixture.kubectl(["create", "namespace", namespace])
        _ = try fixture.kubectl([
            "create", "secret", "generic", "llm-keys", "--namespace", namespace,
            "--from-literal=openai=\(OperatorFixture.apiKey)",
        ])
        let token = try fixture.emulator.token(serviceAccount: "reader", namespace: namespace)
        let binding = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: reader, namespace: \(namespace)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: assay-results-reader}
            subjects: [{kind: ServiceAccount, name: reader, namespace: \(namespace)}]
            """
        _ = try fixture.kubectl(["apply", "-f", try fixture.directory.write("\(namespace)-reader.yaml", binding)])
        return token
    }

    @Test(
        "a namespace's reader gets its results and 403 for another's; no token 401; an unknown run 404; no secret leaks"
    )
    func twoNamespaces() async throws {
        try await OperatorFixture.with { fixture in
            _ = try fixture.kubectl(["apply", "-f", Repository.path("config/rbac/callers.yaml")])
            var tokens: [String: String] = [:]
            var runs: [String: String] = [:]
            for namespace in Self.namespaces {
                tokens[namespace] = try Self.prepare(namespace, in: fixture)
                let file = try fixture.directory.write("\(namespace).yaml", fixture.suiteYAML("scores", cases: 3))
                _ = try fixture.kubectl(["apply", "--namespace", namespace, "-f", file])
            }
            for namespace in Self.namespaces {
                let status = try await fixture.waitForPhase("scores", "Succeeded", namespace: namespace)
                runs[namespace] = try #require(status["runID"]?.stringValue)
            }
            let operator0 = fixture.operators[0]
            func read(_ namespace: String, as reader: String?) async throws -> LocalHTTP.Response {
                try await operator0.get("/v1/runs/\(runs[namespace]!)/results", token: reader.map { tokens[$0]! })
            }
            let own = try await read("team-a", as: "team-a")
            #expect(own.status == 200, "\(own.body)")
            #expect(try JSONParser.parse(Array(own.body.utf8))["total"] == 3)
            #expect(try await read("team-b", as: "team-b").status == 200)
            let other = try await read("team-b", as: "team-a")
            #expect(other.status == 403)
            #expect(
                other.body.contains(
                    "may not get evaluationsuites/results.eval.assay.dev \\\"scores\\\" in namespace \\\"team-b\\\""),
                "\(other.body)")
            #expect(try await operator0.get("/v1/runs/\(runs["team-a"]!)").status == 401)
            let unknown = try await operator0.get("/v1/runs/not-a-suite-uid-g1/results", token: tokens["team-a"])
            #expect(unknown.status == 404)
            #expect(try await operator0.get("/healthz").status == 200)
            let metrics = try await operator0.get("/metrics").body

            // The evaluator pods served their API with --auth kubernetes.
            let started = fixture.kubelet.activity.filter { $0.contains("started pod scores-evaluators") }
            #expect(started.count >= 2 && started.allSatisfy { $0.contains("--auth kubernetes") }, "\(started)")

            // Planted secrets: the provider key (in the Secret) and the readers' tokens.
            var places = [metrics, own.body, other.body]
            for namespace in Self.namespaces {
                places.append(JSONWriter.string(try await fixture.status("scores", namespace: namespace) ?? .null))
            }
            let logs = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)
                .filter { $0.hasSuffix(".log") && $0 != "provider.log" }
            #expect(logs.contains { $0.hasPrefix("assay-operator") } && logs.contains { $0.hasPrefix("scores-") })
            for log in logs {
                places.append(try String(contentsOfFile: fixture.directory.file(log), encoding: .utf8))
            }
            for secret in [OperatorFixture.apiKey] + Array(tokens.values) {
                for text in places { #expect(!text.contains(secret), "a secret leaked into: \(text.prefix(200))") }
            }
        }
    }

    @Test(
        "with --auth-token-audiences the results endpoint takes only tokens for that audience, and the evaluators get the flag"
    )
    func audiences() async throws {
        try await OperatorFixture.with(operatorArguments: ["--auth-token-audiences", "eval.assay.dev"]) { fixture in
            _ = try fixture.kubectl(["apply", "-f", Repository.path("config/rbac/callers.yaml")])
            let plain = try Self.prepare("team-a", in: fixture)
            let scoped = try fixture.emulator.token(
                serviceAccount: "reader", namespace: "team-a", create: false, audience: "eval.assay.dev")
            let file = try fixture.directory.write("team-a.yaml", fixture.suiteYAML("scores", cases: 2))
            _ = try fixture.kubectl(["apply", "--namespace", "team-a", "-f", file])
            let status = try await fixture.waitForPhase("scores", "Succeeded", namespace: "team-a")
            let results = "/v1/runs/\(try #require(status["runID"]?.stringValue))/results"
            let operator0 = fixture.operators[0]
            #expect(try await operator0.get(results, token: scoped).status == 200)
            let refused = try await operator0.get(results, token: plain)
            #expect(refused.status == 401, "a token for the API server: \(refused.body)")
            let started = fixture.kubelet.activity.filter { $0.contains("started pod scores-evaluators") }
            #expect(
                !started.isEmpty && started.allSatisfy { $0.contains("--auth-token-audiences eval.assay.dev") },
                "\(started)")
        }
    }
}
