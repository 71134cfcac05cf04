import AssayCore
import Foundation
import TestSupport
import Testing

@testable import Operator

/// The manifests we ship, checked by the tools that consume them.
@Suite("Shipped manifests", .serialized)
struct ManifestTests {
    static let kubectl = "/usr/bin/kubectl"
    static let promtool = "/usr/bin/promtool"
    static let validator = Repository.path(".venv/bin/kubernetes-validate")

    @Test("kubectl kustomize config/default renders the whole install", .enabled(if: Command.available(kubectl)))
    func kustomizeRendersEverything() throws {
        let result = try Command.run(Self.kubectl, ["kustomize", Repository.path("config/default")])
        #expect(result.status == 0, "\(result.error)")
        let kinds = Set(result.output.split(separator: "\n").filter { $0.hasPrefix("kind: ") }.map { $0.dropFirst(6) })
        for kind in [
            "Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
            "RoleBinding", "Deployment", "ConfigMap", "NetworkPolicy",
        ] {
            #expect(kinds.contains(Substring(kind)), "config/default renders no \(kind)")
        }
        #expect(!result.output.contains("kind: Secret"), "the install must not ship or read Secrets")
    }

    @Test(
        "promtool accepts the alerting rules", .enabled(if: Command.available(promtool)))
    func alertingRules() throws {
        let result = try Command.run(
            Self.promtool, ["check", "rules", Repository.path("config/prometheus/alerts.yaml")])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.combined.contains("SUCCESS"))
    }

    @Test(
        "tools/validate-manifests finds no complaint in what we ship and render",
        .enabled(if: Command.available(validator) && Command.available(kubectl)))
    func validateManifests() throws {
        var arguments: [String] = []
        if let operatorPath = BuiltExecutable.path("assay-operator") { arguments = ["--operator", operatorPath] }
        let result = try Command.run(Repository.path("tools/validate-manifests"), arguments)
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("manifests are valid"), "\(result.combined)")
    }

    @Test("the operator role never grants Secrets, and evaluators only read their suite and patch its status")
    func leastPrivilege() throws {
        let operatorRBAC = try Repository.read("config/rbac/operator.yaml")
        #expect(!operatorRBAC.contains("secrets"))
        let evaluatorRBAC = try Repository.read("config/rbac/evaluator.yaml")
        #expect(evaluatorRBAC.contains("resources: [evaluationsuites/status]\n  verbs: [patch]"))
        #expect(evaluatorRBAC.contains("resources: [evaluationsuites]\n  verbs: [get]"))
        #expect(!evaluatorRBAC.contains("resources: [events]"))
    }

    @Test("the NetworkPolicies select the evaluator and operator pods and their named ports")
    func networkPoliciesMatchThePods() throws {
        let policies =
            try YAMLLoader.loadAll(try Repository.read("config/network-policy/evaluator.yaml"))
            + YAMLLoader.loadAll(try Repository.read("config/network-policy/operator.yaml"))
        let evaluators = ChildrenBuilderTests.builder()
        let manager = try YAMLLoader.loadAll(try Repository.read("config/manager/manager.yaml"))[0]
        let targets: [(JSONValue?, JSONValue?)] = [
            (evaluators.deployment["spec"]?["template"], evaluators.container),
            (manager["spec"]?["template"], manager["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first),
        ]
        #expect(policies.count == 2)
        for (policy, (template, container)) in zip(policies, targets) {
            let selector = policy["spec"]?["podSelector"]?["matchLabels"]?.objectValue ?? JSONObject()
            #expect(!selector.isEmpty)
            for (key, value) in selector { #expect(template?["metadata"]?["labels"]?[key] == value, "\(key)") }
            let ports = Set((container?["ports"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            for rule in policy["spec"]?["ingress"]?.arrayValue ?? [] {
                for port in rule["ports"]?.arrayValue ?? [] {
                    #expect(ports.contains(port["port"]?.stringValue ?? ""), "\(port) names a container port")
                }
            }
            #expect(policy["spec"]?["policyTypes"] == ["Ingress"])
        }
    }
}
