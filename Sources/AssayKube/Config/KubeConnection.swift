/// Everything needed to talk to one API server, whichever way it was configured
/// (``KubeConfig/connection(context:)`` or ``InClusterConfig/connection()``).
public struct KubeConnection: Sendable, CustomStringConvertible {
    /// Base URL without a trailing slash: `https://10.0.0.1:443`, `https://[fd00::1]:6443`.
    public var server: String
    /// The namespace the context or the service account names; `default` otherwise.
    public var namespace: String
    public var tls: KubeTLS
    public var auth: KubeAuth

    /// Kubernetes' fallback namespace when a context names none.
    public static let defaultNamespace = "default"

    public init(server: String, namespace: String = defaultNamespace, tls: KubeTLS = KubeTLS(), auth: KubeAuth = .none)
    {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.tls = tls
        self.auth = auth
    }

    public var description: String { "\(server) namespace \(namespace), auth \(auth)" }

    /// The connection the environment describes, tried in kube-rs's and kubectl's order: the
    /// kubeconfig files of `KUBECONFIG` when it is set, then the in-cluster service account when
    /// `KUBERNETES_SERVICE_HOST` is set, then `~/.kube/config`. `context` overrides the
    /// kubeconfig's `current-context` (like `--context`).
    public static func infer(
        context: String? = nil, environment: [String: String] = KubeEnvironment.current
    ) throws(KubeError) -> KubeConnection {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try KubeConfig.load(environment: environment).connection(context: context)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try InClusterConfig(environment: environment).connection()
        }
        return try KubeConfig.load(environment: environment).connection(context: context)
    }
}

/// Where a certificate, key or CA bundle comes from: a PEM file, or PEM bytes from the
/// kubeconfig's `*-data` fields (base64-decoded).
public enum KubeCredentialSource: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case data(KubeSecret)

    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .data(let secret): "inline data (\(secret.revealed.count) bytes)"
        }
    }
}

/// TLS settings for the API server connection. Verification is on unless the kubeconfig sets
/// `insecure-skip-tls-verify: true`.
public struct KubeTLS: Sendable, Hashable {
    /// CA bundle to verify the server with; `nil` uses the system's.
    public var certificateAuthority: KubeCredentialSource?
    public var clientCertificate: KubeCredentialSource?
    public var clientKey: KubeCredentialSource?
    public var insecureSkipVerify: Bool
    /// `tls-server-name`: the name to verify the server certificate against instead of the host.
    public var serverName: String?

    public init(
        certificateAuthority: KubeCredentialSource? = nil, clientCertificate: KubeCredentialSource? = nil,
        clientKey: KubeCredentialSource? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil
    ) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// How requests prove who they are, besides a TLS client certificate.
public enum KubeAuth: Sendable, Hashable, CustomStringConvertible {
    case none
    /// A fixed bearer token.
    case token(KubeSecret)
    /// A bearer token read from a file and re-read as it is rotated (projected service account
    /// tokens are replaced about hourly).
    case tokenFile(String)
    /// A credential plugin (`gke-gcloud-auth-plugin`, `aws eks get-token`, ...).
    case exec(ExecConfig)

    public var description: String {
        switch self {
        case .none: "none"
        case .token: "bearer token"
        case .tokenFile(let path): "token file \(path)"
        case .exec(let config): "exec plugin \(config.command)"
        }
    }
}

/// A kubeconfig `users[].user.exec` stanza.
public struct ExecConfig: Sendable, Hashable {
    public var command: String
    public var args: [String]
    /// Extra environment variables for the plugin, on top of ours.
    public var env: [String: String]
    /// `client.authentication.k8s.io/v1` or `v1beta1`; the plugin must answer with the same.
    public var apiVersion: String
    public var installHint: String?
    public var provideClusterInfo: Bool

    public init(
        command: String, args: [String] = [], env: [String: String] = [:],
        apiVersion: String = "client.authentication.k8s.io/v1", installHint: String? = nil,
        provideClusterInfo: Bool = false
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
    }
}
