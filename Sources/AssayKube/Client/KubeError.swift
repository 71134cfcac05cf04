import AssayHTTP

/// Everything that can go wrong talking to a Kubernetes API server, as one enum so that the
/// operator can switch on it. Messages say what to check; they never contain tokens or keys.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The kubeconfig or in-cluster environment is missing or inconsistent.
    case configuration(String)
    /// A credential could not be obtained (token file unreadable, exec plugin failed).
    case credentials(String)
    /// No HTTP response: connection, TLS or timeout trouble.
    case transport(HTTPClientError)
    /// The API server answered with an error `Status`.
    case api(KubeStatusError)
    /// The API server's answer could not be understood.
    case decoding(String)
    /// The request cannot be built (missing name, object without metadata, ...).
    case invalidRequest(String)
    /// The calling task was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .configuration(let m): "Kubernetes configuration: \(m)"
        case .credentials(let m): "Kubernetes credentials: \(m)"
        case .transport(let e): "Kubernetes API unreachable: \(e)"
        case .api(let status): status.description
        case .decoding(let m): "unexpected answer from the Kubernetes API: \(m)"
        case .invalidRequest(let m): "invalid Kubernetes request: \(m)"
        case .cancelled: "Kubernetes request cancelled"
        }
    }

    /// The API's status, when the server answered with one.
    public var status: KubeStatusError? {
        if case .api(let status) = self { return status }
        return nil
    }

    /// 404 NotFound.
    public var isNotFound: Bool { status?.code == 404 }
    /// 409 Conflict: a stale `resourceVersion` on replace, or `AlreadyExists` on create.
    public var isConflict: Bool { status?.code == 409 }
    /// 410 Gone / `Expired`: the resourceVersion is too old; list again.
    public var isGone: Bool { status?.code == 410 || status?.reason == .expired || status?.reason == .gone }
}
