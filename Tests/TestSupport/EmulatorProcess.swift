import AssayCore
import AssayKube
import Foundation

/// Which API server the tests talk to: the emulator alone, or the emulator in front of Kubernetes'
/// own apiextensions-apiserver (`tools/kube-real`), which then serves the CRDs and custom resources.
public enum KubeBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case emulator
    case real

    public var description: String { rawValue }

    /// The apiextensions-apiserver and etcd that `tools/kube-real-build` (run by bin/setup) made.
    public static var realServerBuilt: Bool {
        let current = Repository.path(".cache/kube-real/current")
        return FileManager.default.isExecutableFile(atPath: "\(current)/apiextensions-apiserver")
            && FileManager.default.isExecutableFile(atPath: "\(current)/etcd")
    }

    /// Why the real server cannot run here, if it cannot. In CI its absence is a failure, not a skip.
    public static var realMissing: String? {
        if !EmulatorProcess.isAvailable { return "assay-kube-emulator or kubectl is missing" }
        if !realServerBuilt {
            return "the real apiextensions-apiserver is not built (tools/kube-real-build; bin/setup runs it)"
        }
        return nil
    }

    /// The backends a test runs on: the real one unless it is missing outside CI.
    public static var available: [KubeBackend] {
        realMissing == nil || ProcessInfo.processInfo.environment["CI"] == "true" ? [.emulator, .real] : [.emulator]
    }
}

/// A running `assay-kube-emulator` with a kubeconfig for it, stopped by ``stop()``: kubectl
/// through ``kubectl(_:)``, our client through ``client``. With ``KubeBackend/real`` it is the
/// front of a `tools/kube-real` cluster, whose directory also holds `real.kubeconfig` (the real
/// server over TLS) and its certificates under `pki/`.
public final class EmulatorProcess: Sendable {
    public static let kubectl = "/usr/bin/kubectl"
    /// The token of the emulator's kubeconfig; TokenReview says it is a cluster admin
    /// (`system:masters`), so it may do anything a SubjectAccessReview asks about.
    public static let adminToken = "assay-emulator-token"
    public static var executable: String? { BuiltExecutable.path(BuiltExecutable.kubeEmulator) }
    /// The emulator and kubectl are both there.
    public static var isAvailable: Bool { executable != nil && Command.available(kubectl) }

    public let backend: KubeBackend
    /// The test's temporary directory; holds the kubeconfig, the emulator's log and ``write(_:_:)``'s files.
    public let directory: String
    public let kubeconfig: String
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    /// A client for the emulator without client-side rate limiting.
    public let client: KubeClient
    private let process: ChildProcess?

    public struct EmulatorMissing: Error, CustomStringConvertible {
        var detail = ""
        public var description: String {
            "assay-kube-emulator did not start; build it with `swift build --build-tests`\(detail)"
        }
    }

    /// Starts the emulator on a free port (`extraArguments` e.g. `["--bookmark-interval", "1"]`)
    /// and returns once it listens and has written the kubeconfig; with `.real`, etcd and the real
    /// apiextensions-apiserver behind it first.
    public init(backend: KubeBackend = .emulator, extraArguments: [String] = []) throws {
        self.backend = backend
        directory = NSTemporaryDirectory() + "assay-operator-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        kubeconfig = "\(directory)/kubeconfig"
        guard let executable = Self.executable else { throw EmulatorMissing() }
        let schemas = Repository.path(".cache/openapi/kubernetes.json")
        let schemaArguments = FileManager.default.fileExists(atPath: schemas) ? ["--openapi-schemas", schemas] : []
        switch backend {
        case .emulator:
            let process = try ChildProcess(
                executable: executable,
                arguments: ["--port", "0", "--kubeconfig-out", kubeconfig] + schemaArguments + extraArguments,
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
            self.process = process
        case .real:
            let up = try Command.run(
                Repository.path("tools/kube-real"), ["up", directory] + extraArguments,
                environment: ["ASSAY_KUBE_EMULATOR": executable], timeout: .seconds(120))
            guard up.status == 0 else {
                _ = try? Command.run(Repository.path("tools/kube-real"), ["down", directory])
                throw EmulatorMissing(detail: ": tools/kube-real up: \(up.combined)")
            }
            let endpoints = try String(contentsOfFile: "\(directory)/endpoints", encoding: .utf8)
            let front = endpoints.split(separator: "\n").first { $0.hasPrefix("front=") }
            baseURL = String(front?.dropFirst("front=".count) ?? "")
            process = nil
        }
        client = KubeClient(
            connection: try KubeConfig.load(paths: [kubeconfig]).connection(),
            rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
    }

    /// The kubeconfig of the real server itself (TLS, client certificate inline), with ``KubeBackend/real``.
    public var realKubeconfig: String { "\(directory)/real.kubeconfig" }

    /// Runs kubectl against the emulator.
    public func kubectl(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try Command.run(Self.kubectl, ["--kubeconfig", kubeconfig] + arguments, input: input)
    }

    /// A token of the ServiceAccount `name` in `namespace` (`kubectl create token`), creating the
    /// account first when `create` is set; issued for `audience` when given, else for the API server.
    public func token(
        serviceAccount name: String, namespace: String = "default", create: Bool = true, audience: String? = nil
    ) throws -> String {
        if create {
            let made = try kubectl(["create", "serviceaccount", name, "--namespace", namespace])
            guard made.status == 0 else { throw KubectlFailed(result: made) }
        }
        let issued = try kubectl(
            ["create", "token", name, "--namespace", namespace] + (audience.map { ["--audience", $0] } ?? []))
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
        try await waitUntilServed(kind, timeout: timeout)
    }

    /// Returns once `kind` is served: listing it in `default` answers. (`kubectl wait
    /// --for=condition=Established` can fail instead of waiting while a new CRD's conditions are null.)
    public func waitUntilServed(_ kind: ResourceKind, timeout: Duration = .seconds(10)) async throws {
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

    /// The emulator's last output lines (with the real server's, for ``KubeBackend/real``).
    public func tail(_ count: Int = 40) -> String {
        guard let process else {
            return ["emulator.log", "apiserver.log"].map { name in
                let text = (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? ""
                return "--- \(name)\n" + text.split(separator: "\n").suffix(count).joined(separator: "\n")
            }.joined(separator: "\n")
        }
        return process.tail(count)
    }

    /// SIGTERM (the emulator exits 0), then removes the directory.
    public func stop() {
        if let process, process.isRunning {
            process.signal(SIGTERM)
            if process.waitForExitBlocking(timeout: .seconds(10)) == nil { process.kill() }
        }
        if backend == .real { _ = try? Command.run(Repository.path("tools/kube-real"), ["down", directory]) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
