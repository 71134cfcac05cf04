import AssayCore
import Foundation
import TestSupport
import Testing

/// The README's "Suite namespaces" commands, run as written after `kubectl apply -k
/// config/default`: the evaluators of a namespace other than the operator's get exactly what they
/// use (review callers, read their suite, patch its status) and nothing in another namespace.
@Suite(
    "A suite namespace enabled by the README's commands", .serialized,
    .enabled(if: EmulatorProcess.isAvailable, "assay-kube-emulator or kubectl is missing"))
struct SuiteNamespaceRBACTests {
    static let evaluator = "system:serviceaccount:team-a:assay-evaluator"

    /// The `kubectl` lines of the README block that enables a namespace, `$NS` set to `namespace`.
    static func readmeCommands(namespace: String) throws -> [[String]] {
        let readme = try Repository.read("README.md")
        let blocks = readme.components(separatedBy: "```sh\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let block = try #require(blocks.first { $0.contains("create clusterrolebinding assay-evaluator-auth-") })
        return block.split(separator: "\n").filter { $0.hasPrefix("kubectl ") }.map { line in
            line.split(separator: " ").dropFirst().map { word in
                String(word).replacingOccurrences(of: "$NS", with: namespace)
                    .replacingOccurrences(of: "config/", with: Repository.path("config/"))
            }
        }
    }

    /// May `user` do `verb` on `resource` (in `namespace`; cluster-wide when empty)?
    static func allowed(
        _ server: EmulatorProcess, _ verb: String, _ group: String, _ resource: String, _ namespace: String
    ) async throws -> Bool {
        var attributes = JSONObject([("verb", .string(verb)), ("group", .string(group))])
        let parts = resource.split(separator: "/")
        attributes["resource"] = .string(String(parts[0]))
        if parts.count > 1 { attributes["subresource"] = .string(String(parts[1])) }
        if !namespace.isEmpty { attributes["namespace"] = .string(namespace) }
        let review: JSONValue = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": [
                "user": .string(evaluator),
                "groups": ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
                "resourceAttributes": .object(attributes),
            ],
        ]
        let answer = try await LocalHTTP.send(
            "POST", server.baseURL + "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            body: JSONWriter.string(review), token: nil)
        return try JSONParser.parse(Array(answer.body.utf8))["status"]?["allowed"] == true
    }

    @Test("its evaluators may review callers, read their suite and patch its status there, and nothing elsewhere")
    func enabled() async throws {
        let server = try EmulatorProcess()
        defer { server.stop() }
        let install = try server.kubectl(["apply", "-k", Repository.path("config/default")])
        try #require(install.status == 0, "\(install.combined)")
        for namespace in ["team-a", "team-b"] {
            #expect(try server.kubectl(["create", "namespace", namespace]).status == 0)
        }
        let reviews = [
            ("create", "authentication.k8s.io", "tokenreviews", ""),
            ("create", "authorization.k8s.io", "subjectaccessreviews", ""),
        ]
        let suite = [
            ("get", "eval.assay.dev", "evaluationsuites", "team-a"),
            ("patch", "eval.assay.dev", "evaluationsuites/status", "team-a"),
        ]
        for (verb, group, resource, namespace) in reviews + suite {
            #expect(
                try await !Self.allowed(server, verb, group, resource, namespace),
                "before the commands: \(verb) \(resource)")
        }

        let commands = try Self.readmeCommands(namespace: "team-a")
        #expect(commands.count == 5, "\(commands)")
        for command in commands {
            let result = try server.kubectl(command)
            #expect(result.status == 0, "kubectl \(command.joined(separator: " ")): \(result.combined)")
        }

        for (verb, group, resource, namespace) in reviews + suite {
            #expect(try await Self.allowed(server, verb, group, resource, namespace), "\(verb) \(resource)")
        }
        for (verb, group, resource, _) in suite + [("delete", "eval.assay.dev", "evaluationsuites", "")] {
            #expect(try await !Self.allowed(server, verb, group, resource, "team-b"), "\(verb) \(resource) in team-b")
        }
        #expect(try await !Self.allowed(server, "get", "", "secrets", "team-a"), "no Secrets")
        let labels = try server.kubectl(["get", "namespace", "team-a", "-o", "jsonpath={.metadata.labels}"])
        #expect(labels.output.contains(#""eval.assay.dev/suites":"enabled""#), "\(labels.combined)")
        let policy = try server.kubectl(["get", "networkpolicy", "assay-evaluator", "-n", "team-a", "-o", "name"])
        #expect(policy.status == 0, "\(policy.combined)")
    }
}
