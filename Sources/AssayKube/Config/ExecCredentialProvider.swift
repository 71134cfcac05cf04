import AssayCore
import Foundation

/// Runs a kubeconfig exec credential plugin and caches what it prints until the credential's
/// `expirationTimestamp` (for ever when it has none), as client-go's exec authenticator does.
/// Concurrent callers share one run of the plugin.
public actor ExecCredentialProvider {
    /// The `ExecCredential` versions client-go speaks (v1alpha1 was removed in Kubernetes 1.24).
    public static let supportedAPIVersions: Set<String> = [
        "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1",
    ]

    /// What the plugin printed in `ExecCredential.status`.
    public struct Credential: Sendable, Hashable {
        public var token: KubeSecret?
        public var clientCertificateData: KubeSecret?
        public var clientKeyData: KubeSecret?
        /// Seconds since the Unix epoch; `nil` when the credential does not expire.
        public var expiration: Double?
    }

    public let config: ExecConfig
    /// The API server URL, passed to the plugin when `provideClusterInfo` is set.
    public let server: String?
    /// Wall-clock seconds since the epoch; injectable for tests.
    private let now: @Sendable () -> Double
    private var cached: Credential?
    private var running: Task<Credential, any Error>?

    public init(
        config: ExecConfig, server: String? = nil,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.config = config
        self.server = server
        self.now = now
    }

    /// The cached credential while it is valid, otherwise a fresh one from the plugin.
    public func credential() async throws(KubeError) -> Credential {
        if let cached, !isExpired(cached) { return cached }
        let task: Task<Credential, any Error>
        if let running {
            task = running
        } else {
            let config = config
            let info = execInfo()
            task = Task { try await Self.run(config, execInfo: info) }
            running = task
        }
        do {
            let credential = try await task.value
            running = nil
            cached = credential
            return credential
        } catch {
            running = nil
            if let error = error as? KubeError { throw error }
            throw .credentials("exec plugin \(config.command) failed: \(error)")
        }
    }

    /// Forgets the cached credential, so that the next request runs the plugin again (after the
    /// API server rejected the credential with 401).
    public func invalidate() { cached = nil }

    private func isExpired(_ credential: Credential) -> Bool {
        guard let expiration = credential.expiration else { return false }
        return now() >= expiration
    }

    private func execInfo() -> String {
        var spec = JSONObject([("interactive", .bool(false))])
        if config.provideClusterInfo, let server {
            spec["cluster"] = .object(JSONObject([("server", .string(server))]))
        }
        return JSONWriter.string(
            .object(
                JSONObject([
                    ("apiVersion", .string(config.apiVersion)), ("kind", .string("ExecCredential")),
                    ("spec", .object(spec)),
                ])))
    }

    /// Runs the plugin on a thread of its own (it blocks on pipes) and decodes its output.
    private static func run(_ config: ExecConfig, execInfo: String) async throws -> Credential {
        let output = try await BlockingProcess.run(
            command: config.command, arguments: config.args,
            environment: config.env.merging(["KUBERNETES_EXEC_INFO": execInfo]) { _, new in new })
        guard output.status == 0 else {
            var message = "exec plugin \(config.command) exited with status \(output.status)"
            if output.status == 127, let hint = config.installHint { message += "; \(hint)" }
            let stderr = String(decoding: output.stderr.prefix(500), as: UTF8.self)
            if !stderr.isEmpty { message += ": \(stderr)" }
            throw KubeError.credentials(message)
        }
        return try decode(output.stdout, apiVersion: config.apiVersion, command: config.command)
    }

    /// Decodes an `ExecCredential` document. Errors never quote the output (it holds the token).
    static func decode(_ bytes: [UInt8], apiVersion: String, command: String) throws(KubeError) -> Credential {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .credentials("exec plugin \(command) did not print an ExecCredential JSON object")
        }
        guard value["kind"]?.stringValue == "ExecCredential" else {
            throw .credentials("exec plugin \(command) printed a JSON object whose kind is not ExecCredential")
        }
        guard value["apiVersion"]?.stringValue == apiVersion else {
            throw .credentials(
                "exec plugin \(command) answered with apiVersion \(value["apiVersion"]?.stringValue ?? "none"), expected \(apiVersion)"
            )
        }
        guard let status = value["status"] else {
            throw .credentials("exec plugin \(command) printed an ExecCredential without status")
        }
        func secret(_ key: String) -> KubeSecret? {
            guard let text = status[key]?.stringValue, !text.isEmpty else { return nil }
            return KubeSecret(text)
        }
        var expiration: Double?
        if let text = status["expirationTimestamp"]?.stringValue {
            guard let parsed = KubeTimestamp.parse(text) else {
                throw .credentials(
                    "exec plugin \(command) printed an expirationTimestamp that is not RFC 3339: \(text)")
            }
            expiration = parsed
        }
        let credential = Credential(
            token: secret("token"), clientCertificateData: secret("clientCertificateData"),
            clientKeyData: secret("clientKeyData"), expiration: expiration)
        guard credential.token != nil || (credential.clientCertificateData != nil && credential.clientKeyData != nil)
        else {
            throw .credentials(
                "exec plugin \(command) printed neither status.token nor clientCertificateData with clientKeyData")
        }
        return credential
    }
}
