import Foundation

@testable import Common

/// A running `assay-kube-emulator` (built next to the test bundle) with a kubeconfig for it, a
/// client, and the committed EvaluationSuite CRD installed.
final class KubeEmulatorProcess: Sendable {
    static let executableName = "assay-kube-emulator"
    static let crdKind = ResourceKind(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)

    static var isBuilt: Bool {
        FileManager.default.isExecutableFile(atPath: ServerProcess.executable(executableName).path)
    }

    let process: ServerProcess
    let directory: URL
    let kubeconfig: String
    let client: KubeClient

    /// Starts the emulator on a free port and installs config/crd/evaluationsuites.yaml.
    static func start() async throws -> KubeEmulatorProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "assay-cluster-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let process = try ServerProcess(executableName, arguments: ["--port", "0", "--kubeconfig-out", kubeconfig])
        // The banner comes once the listener and the kubeconfig are ready.
        _ = try await process.waitForLine("the emulator's banner") { $0.hasPrefix("listening on ") }
        let client = KubeClient(connection: try KubeConfig.load(paths: [kubeconfig]).connection())
        let emulator = KubeEmulatorProcess(
            process: process, directory: directory, kubeconfig: kubeconfig, client: client)
        try await emulator.installSuiteCRD()
        return emulator
    }

    private init(process: ServerProcess, directory: URL, kubeconfig: String, client: KubeClient) {
        self.process = process
        self.directory = directory
        self.kubeconfig = kubeconfig
        self.client = client
    }

    deinit {
        process.signal(SIGTERM)
        try? FileManager.default.removeItem(at: directory)
    }

    private func installSuiteCRD() async throws {
        let path = ServerProcess.repositoryRoot.appendingPathComponent("config/crd/evaluationsuites.yaml").path
        let crd = try YAMLLoader.load(try String(contentsOfFile: path, encoding: .utf8))
        _ = try await client.create(KubeObject(crd), as: Self.crdKind)
        // Served once listing the new resource answers.
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                _ = try await client.list(.evaluationSuite, namespace: "default")
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
