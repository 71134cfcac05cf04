import Foundation
import TestSupport
import Testing

/// The install as users take it, exactly as the README writes it: `kubectl apply -k config/default`,
/// then `kubectl apply -k config/samples`, with kubectl validating every object (the API publishes
/// OpenAPI v3 for each group we ship objects of, so kubectl validates through the server with
/// `fieldValidation=Strict`), against the emulator alone and against the combined API whose custom
/// resources the real apiextensions-apiserver serves.
@Suite(
    "The install path: kubectl apply -k config/default, then config/samples", .serialized,
    .enabled(if: EmulatorProcess.isAvailable, "assay-kube-emulator or kubectl is missing"))
struct InstallPathTests {
    @Test(
        "every shipped object is created and validated, and an unknown field is refused",
        arguments: KubeBackend.available)
    func installs(backend: KubeBackend) async throws {
        let server = try EmulatorProcess(backend: backend)
        defer { server.stop() }
        let install = try server.kubectl(["apply", "-k", Repository.path("config/default")])
        #expect(install.status == 0, "\(install.combined)")
        let rendered = try Command.run(EmulatorProcess.kubectl, ["kustomize", Repository.path("config/default")])
        let kinds = rendered.output.split(separator: "\n").filter { $0.hasPrefix("kind: ") }.count
        let created = install.output.split(separator: "\n").filter { $0.hasSuffix(" created") }.count
        #expect(created == kinds && kinds >= 15, "\(install.combined)")
        #expect(!install.combined.contains("failed to download openapi"), "\(install.combined)")
        #expect(!install.combined.contains("Warning"), "\(install.combined)")

        try await server.waitUntilServed(.evaluationSuite, timeout: .seconds(30))
        let samples = try server.kubectl(["apply", "-k", Repository.path("config/samples")])
        #expect(samples.status == 0, "\(samples.combined)")
        #expect(samples.output.contains("evaluationsuite.eval.assay.dev/capitals created"), "\(samples.output)")
        #expect(samples.output.contains("configmap/support-answers created"), "\(samples.output)")
        let suites = try server.kubectl(["get", "evaluationsuites", "-o", "name"])
        #expect(suites.output.split(separator: "\n").count == 2, "\(suites.combined)")

        // kubectl validates: a field no schema knows is refused, on a built-in kind and on a suite.
        let deployment = try server.write(
            "typo.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: typo}
            spec:
              replicaz: 2
              selector: {matchLabels: {app: typo}}
              template:
                metadata: {labels: {app: typo}}
                spec: {containers: [{name: c, image: busybox, imagePullPolicyy: Always}]}
            """)
        let refused = try server.kubectl(["apply", "-f", deployment])
        #expect(refused.status != 0)
        #expect(refused.combined.contains("unknown field \"spec.replicaz\""), "\(refused.combined)")
        #expect(
            refused.combined.contains("unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""),
            "\(refused.combined)")
        let suite = try String(contentsOfFile: Repository.path("config/samples/capitals.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "passThreshold: 0.75", with: "passThreshold: 0.75\n  colour: blue")
            .replacingOccurrences(of: "name: capitals", with: "name: colourful")
        let refusedSuite = try server.kubectl(["apply", "-f", try server.write("colourful.yaml", suite)])
        #expect(refusedSuite.status != 0)
        #expect(refusedSuite.combined.contains("unknown field \"spec.colour\""), "\(refusedSuite.combined)")

        // The schemas behind it are there for people too.
        let explained = try server.kubectl(["explain", "deployment.spec.replicas"])
        #expect(explained.output.contains("FIELD: replicas <integer>"), "\(explained.combined)")
        let explainedSuite = try server.kubectl(["explain", "evaluationsuites.spec.passThreshold"])
        #expect(explainedSuite.output.contains("FIELD: passThreshold <number>"), "\(explainedSuite.combined)")
    }
}
