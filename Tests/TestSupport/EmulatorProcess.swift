import Common
import Foundation

/// A running `assay-kube-emulator` with a kubeconfig for it, stopped by ``stop()``: kubectl
/// through ``kubectl(_:)``, our client through ``client``.
public final class EmulatorProcess: Sendable {
    public static let kubectl = "/usr/bin/kubectl"
    /// The token of the emulator's kubeconfig; TokenReview says it is a cluster admin
    /// (`system:masters`), so it may do anything a SubjectAccessReview asks about.
    public static let adminToken = "assay-emulator-token"
    public static var executable: String? { BuiltExecutable.path(BuiltExecutable.kubeEmulator) }
    /// The emulator and kubectl are both there.
    public static var isAvailable: Bool { executable != nil && Command.available(kubectl) }

    /// The test's temporary directory; holds the kubeconfig, the emulator's log and ``write(_:_:)``'s files.
    public let directory: String
    public let kubeconfig: String
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    /// A client for the emulator without client-side rate limiting.
    public let client: KubeClient
    private let process: ChildProcess

    public struct EmulatorMissing: Error, CustomStringConvertible {
        var detail = ""
        public var description: String {
            "assay-kube-emulator did not start; build it with `swift build --build-tests`\(detail)"
        }
    }

    /// Starts the emulator on a free port (`extraArguments` e.g. `["--bookmark-interval", "1"]`)
    /// and returns once it listens and has written the kubeconfig.
    public init(extraArguments: [String] = []) throws {
        directory = NSTemporaryDirectory() + "assay-operator-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        kubeconfig = "\(directory)/kubeconfig"
        guard let executable = Self.executable else { throw EmulatorMissing() }
        process = try ChildProcess(
            executable: executable, arguments: ["--port", "0", "--kubeconfig-out", kubeconfig] + extraArguments,
            environment: ChildProcess.cleanEnvironment(), directory: directory,
            logFile: "\(directory)/kube-emulator.log")
        // The banner is printed once the listener and the kubeconfig are ready.
        let banner: String
        do {
            banner = try process.waitForLineBlocking("the emulator's banner") { $0.hasPrefix("listening on ") }
        } catch {
            process.kill()
            throw EmulatorMissing(detail: ": \(error)")
        }
        baseURL = "http://" + banner.dropFirst("listening on ".count)
        client = KubeClient(
            connection: try KubeConfig.load(paths: [kubeconfig]).connection(),
            rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
    }

    /// Runs kubectl against the emulator.
    public func kubectl(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try Command.run(Self.kubectl, ["--kubeconfig", kubeconfig] + arguments, input: input)
    }

    /// A token of the ServiceAccount `name` in `namespace` (`kubectl create token`), creating the
    /// account first when `create` is set.
    public func token(serviceAccount name: String, namespace: String = "default", create: Bool = true) throws
        -> String
    {
        if create {
            let made = try kubectl(["create", "serviceaccount", name, "--namespace", namespace])
            guard made.status == 0 else { throw KubectlFailed(result: made) }
        }
        let issued = try kubectl(["create", "token", name, "--namespace", namespace])
        guard issued.status == 0 else { throw KubectlFailed(result: issued) }
        return issued.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct KubectlFailed: Error, CustomStringConvertible {
        public var result: ProcessResult
        public var description: String { "kubectl failed: \(result.combined)" }
    }

    /// Writes `contents` to `name` in the test's directory and returns its path.
    public func write(_ name: String, _ contents: String) throws -> String {
        let path = "\(directory)/\(name)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Creates the CustomResourceDefinition in the YAML file at `path` (e.g.
    /// `Repository.path("config/crd/evaluationsuites.yaml")`) through ``client``, and returns once
    /// `kind` is served: listing it in `default` answers.
    public func installCRD(at path: String, serving kind: ResourceKind, timeout: Duration = .seconds(10)) async throws {
        let crd = try YAMLLoader.load(try String(contentsOfFile: path, encoding: .utf8))
        _ = try await client.create(KubeObject(crd), as: Self.customResourceDefinitions)
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                _ = try await client.list(kind, namespace: kind.namespaced ? "default" : nil)
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static let customResourceDefinitions = ResourceKind(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)

    /// Calls one of the emulator's test hooks (`expire-history`, `drop-watches`).
    public func hook(_ name: String) async throws {
        let response = try await LocalHTTP.send("POST", "\(baseURL)/emulator/\(name)", body: "")
        guard response.status == 200 else { throw HookFailed(name: name, status: response.status) }
    }

    struct HookFailed: Error {
        var name: String
        var status: Int
    }

    /// The emulator's last output lines.
    public func tail(_ count: Int = 40) -> String { process.tail(count) }

    /// SIGTERM (the emulator exits 0), then removes the directory.
    public func stop() {
        if process.isRunning {
            process.signal(SIGTERM)
            if process.waitForExitBlocking(timeout: .seconds(10)) == nil { process.kill() }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
