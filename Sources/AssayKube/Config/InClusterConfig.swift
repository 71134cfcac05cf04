/// The connection a pod gets from its service account: the API server's address from
/// `KUBERNETES_SERVICE_HOST`/`_PORT`, and the token, CA bundle and namespace files the kubelet
/// mounts. The token file is re-read as the kubelet rotates it.
public struct InClusterConfig: Sendable {
    /// Where the kubelet mounts the service account (Kubernetes' documented path).
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public var host: String
    public var port: String
    /// Directory holding `token`, `ca.crt` and `namespace`; injectable for tests.
    public var directory: String

    public init(host: String, port: String, directory: String = defaultDirectory) {
        self.host = host
        self.port = port
        self.directory = directory
    }

    /// Reads `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`.
    public init(environment: [String: String] = KubeEnvironment.current, directory: String = defaultDirectory)
        throws(KubeError)
    {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw .configuration(
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        self.init(host: host, port: port, directory: directory)
    }

    public var tokenPath: String { "\(directory)/token" }
    public var certificateAuthorityPath: String { "\(directory)/ca.crt" }
    public var namespacePath: String { "\(directory)/namespace" }

    /// `https://host:port`, with an IPv6 host in brackets.
    public var server: String {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "https://\(bracketed):\(port)"
    }

    /// Checks that the token and CA files are there, and reads the namespace.
    public func connection() throws(KubeError) -> KubeConnection {
        guard KubeFile.exists(tokenPath) else {
            throw .configuration(
                "service account token \(tokenPath) is missing; is automountServiceAccountToken disabled?")
        }
        guard KubeFile.exists(certificateAuthorityPath) else {
            throw .configuration("service account CA bundle \(certificateAuthorityPath) is missing")
        }
        var namespace = KubeConnection.defaultNamespace
        if KubeFile.exists(namespacePath) {
            let text = String(decoding: try KubeFile.read(namespacePath, purpose: "namespace"), as: UTF8.self)
            let trimmed = KubeFile.trimmed(text)
            if !trimmed.isEmpty { namespace = trimmed }
        }
        return KubeConnection(
            server: server, namespace: namespace,
            tls: KubeTLS(certificateAuthority: .file(certificateAuthorityPath)), auth: .tokenFile(tokenPath))
    }
}
