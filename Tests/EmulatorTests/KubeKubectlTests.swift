import Foundation
import TestSupport
import Testing

@testable import KubeEmulator

/// Runs the installed kubectl against an in-process emulator through a generated kubeconfig.
struct Kubectl: Sendable {
    static let path = "/usr/bin/kubectl"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    let kubeconfig: String
    let directory: String

    func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try Command.run(Self.path, ["--kubeconfig", kubeconfig] + arguments, input: input, timeout: .seconds(60))
    }

    /// Starts a long-running kubectl (a watch); wait on its output lines.
    func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            executable: Self.path, arguments: ["--kubeconfig", kubeconfig] + arguments,
            environment: ChildProcess.cleanEnvironment())
    }

    func write(_ name: String, _ contents: String) throws -> String {
        let path = "\(directory)/\(name)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An emulator on a free port with a kubeconfig in a fresh temporary directory.
    static func withEmulator(_ body: (Kubectl, Emulator) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "assay-kube-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = APIServer.Configuration()
        configuration.idleCheckInterval = 0.2
        let emulator = try Emulator(port: 0, configuration: configuration)
        defer { emulator.stop() }
        let kubeconfig = "\(directory)/kubeconfig"
        try emulator.writeKubeconfig(to: kubeconfig)
        try body(Kubectl(kubeconfig: kubeconfig, directory: directory), emulator)
    }
}

@Suite("kubectl against the Kubernetes emulator", .enabled(if: Kubectl.available), .serialized)
struct KubeKubectlTests {
    static let suiteYAML = """
        apiVersion: assay.dev/v1
        kind: EvaluationSuite
        metadata:
          name: smoke
        spec:
          model: judge-1
          replicas: 2

        """

    @Test("kubectl applies a CRD, applies and gets custom resources with our printer columns, patches and deletes")
    func crdLifecycle() throws {
        try Kubectl.withEmulator { kubectl, _ in
            let crd = try kubectl.write("crd.yaml", KubeObjectFixtures.suiteCRDYAML)
            let applied = try kubectl.run(["apply", "-f", crd])
            #expect(applied.status == 0, "\(applied.error)")
            #expect(
                applied.output.contains(
                    "customresourcedefinition.apiextensions.k8s.io/evaluationsuites.assay.dev created"))

            let suite = try kubectl.write("suite.yaml", Self.suiteYAML)
            let created = try kubectl.run(["apply", "-f", suite])
            #expect(created.status == 0, "\(created.error)")
            #expect(created.output.contains("evaluationsuite.assay.dev/smoke created"))

            let table = try kubectl.run(["get", "evaluationsuites"])
            #expect(table.status == 0, "\(table.error)")
            let lines = table.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(lines.first == ["NAME", "MODEL", "REPLICAS", "PHASE", "AGE"])
            #expect(lines.dropFirst().first?.prefix(3) == ["smoke", "judge-1", "2"])

            let reapplied = try kubectl.run(
                ["apply", "-f", "-"], input: Self.suiteYAML.replacingOccurrences("replicas: 2", "replicas: 3"))
            #expect(reapplied.output.contains("evaluationsuite.assay.dev/smoke configured"), "\(reapplied.error)")

            let merge = try kubectl.run([
                "patch", "es", "smoke", "--type=merge", "-p", #"{"spec":{"model":"judge-2"}}"#,
            ])
            #expect(merge.status == 0, "\(merge.error)")
            let json = try kubectl.run([
                "patch", "es", "smoke", "--type=json", "-p", #"[{"op":"replace","path":"/spec/replicas","value":4}]"#,
            ])
            #expect(json.status == 0, "\(json.error)")
            let status = try kubectl.run([
                "patch", "es", "smoke", "--subresource=status", "--type=merge", "-p", #"{"status":{"phase":"Ready"}}"#,
            ])
            #expect(status.status == 0, "\(status.error)")
            let fields = try kubectl.run([
                "get", "es", "smoke", "-o",
                "jsonpath={.spec.model} {.spec.replicas} {.status.phase} {.metadata.generation} {.spec.mode}",
            ])
            #expect(fields.output == "judge-2 4 Ready 4 strict")

            let rejected = try kubectl.run(["patch", "es", "smoke", "--type=merge", "-p", #"{"spec":{"replicas":50}}"#])
            #expect(rejected.status != 0)
            #expect(rejected.error.contains("replicas must not exceed maxReplicas"))

            let deleted = try kubectl.run(["delete", "es", "smoke"])
            #expect(deleted.output.contains("evaluationsuite.assay.dev \"smoke\" deleted"), "\(deleted.error)")
            let gone = try kubectl.run(["get", "es", "smoke"])
            #expect(gone.error.contains("NotFound") || gone.error.contains("not found"))
        }
    }

    @Test("kubectl get --watch receives an update")
    func watchReceivesUpdate() throws {
        try Kubectl.withEmulator { kubectl, _ in
            #expect(
                try kubectl.run(["apply", "-f", kubectl.write("crd.yaml", KubeObjectFixtures.suiteCRDYAML)]).status == 0
            )
            #expect(try kubectl.run(["apply", "-f", kubectl.write("suite.yaml", Self.suiteYAML)]).status == 0)
            let watcher = try kubectl.start(["get", "evaluationsuites", "--watch"])
            defer { _ = watcher.kill() }
            let first = try? watcher.waitForLineBlocking("the first row") {
                $0.hasPrefix("smoke") && $0.contains("judge-1")
            }
            #expect(first != nil, "\(watcher.tail())")
            let patched = try kubectl.run([
                "patch", "es", "smoke", "--type=merge", "-p", #"{"spec":{"model":"judge-9"}}"#,
            ])
            #expect(patched.status == 0)
            let updated = try? watcher.waitForLineBlocking("the updated row") {
                $0.hasPrefix("smoke") && $0.contains("judge-9")
            }
            #expect(updated != nil, "\(watcher.tail())")
        }
    }

    @Test("kubectl works with built-ins: client-side and server-side apply, scale, label selectors, delete")
    func builtins() throws {
        try Kubectl.withEmulator { kubectl, _ in
            let manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  labels: {app: web}
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - {name: web, image: example}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  labels: {app: web}
                data: {a: "1"}

                """
            let file = try kubectl.write("web.yaml", manifest)
            let applied = try kubectl.run(["apply", "-f", file])
            #expect(applied.status == 0, "\(applied.error)")
            let changed = try kubectl.run(
                ["apply", "-f", "-"], input: manifest.replacingOccurrences(#"a: "1""#, #"a: "2""#))
            #expect(changed.output.contains("configmap/settings configured"), "\(changed.error)")
            #expect(try kubectl.run(["get", "cm", "settings", "-o", "jsonpath={.data.a}"]).output == "2")
            let image = try kubectl.run(
                ["apply", "-f", "-"], input: manifest.replacingOccurrences("image: example", "image: example:2"))
            #expect(image.output.contains("deployment.apps/web configured"), "\(image.error)")
            let containers = try kubectl.run(["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec}"]).output
            #expect(containers == #"{"containers":[{"image":"example:2","name":"web"}]}"#)
            #expect(try kubectl.run(["scale", "deployment", "web", "--replicas=5"]).status == 0)
            #expect(try kubectl.run(["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]).output == "5")
            #expect(try kubectl.run(["get", "cm", "-l", "app=web", "-o", "name"]).output == "configmap/settings\n")
            let serverSide = try kubectl.run(["apply", "--server-side", "--force-conflicts", "-f", file])
            #expect(serverSide.output.contains("serverside-applied"), "\(serverSide.error)")
            #expect(try kubectl.run(["get", "cm", "settings", "-o", "jsonpath={.data.a}"]).output == "1")
            #expect(try kubectl.run(["delete", "-f", file]).status == 0)
            #expect(try kubectl.run(["get", "deploy,cm", "-o", "name"]).output.isEmpty)

            // Imperative creates send protobuf bodies for these kinds.
            #expect(try kubectl.run(["create", "namespace", "scratch"]).output == "namespace/scratch created\n")
            let secret = try kubectl.run(["-n", "scratch", "create", "secret", "generic", "s", "--from-literal=k=v"])
            #expect(secret.output == "secret/s created\n", "\(secret.error)")
            #expect(
                try kubectl.run(["-n", "scratch", "get", "secret", "s", "-o", "jsonpath={.type} {.data.k}"]).output
                    == "Opaque dg==")
            #expect(try kubectl.run(["delete", "namespace", "scratch"]).status == 0)
            #expect(try kubectl.run(["get", "namespace", "scratch"]).status != 0)
        }
    }
}
