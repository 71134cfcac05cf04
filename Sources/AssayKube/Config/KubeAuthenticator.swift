import AssayCore

/// Produces the `Authorization` header for each request from a ``KubeAuth``: a fixed token, a
/// token file re-read as it rotates, or an exec plugin's cached credential.
public final class KubeAuthenticator: Sendable {
    /// client-go re-reads token files at most once a minute (its cached file token source); the
    /// kubelet rotates projected tokens well before they expire, so a minute-old read is valid.
    public static let defaultTokenFileRefresh: Duration = .seconds(60)

    private enum Mode: Sendable {
        case none
        case token(KubeSecret)
        case file(path: String, refresh: Duration)
        case exec(ExecCredentialProvider)
    }

    private struct FileCache: Sendable {
        var token: KubeSecret
        var readAt: ContinuousClock.Instant
    }

    private let mode: Mode
    private let fileCache = Guarded<FileCache?>(nil)

    public init(_ auth: KubeAuth, server: String? = nil, tokenFileRefresh: Duration = defaultTokenFileRefresh) {
        switch auth {
        case .none: mode = .none
        case .token(let token): mode = .token(token)
        case .tokenFile(let path): mode = .file(path: path, refresh: tokenFileRefresh)
        case .exec(let config): mode = .exec(ExecCredentialProvider(config: config, server: server))
        }
    }

    /// `Bearer <token>`, or `nil` when requests carry no token.
    public func authorization() async throws(KubeError) -> KubeSecret? {
        switch mode {
        case .none:
            return nil
        case .token(let token):
            return Self.bearer(token)
        case .file(let path, let refresh):
            let now = ContinuousClock.now
            if let cached = fileCache.withLock({ $0 }), now - cached.readAt < refresh {
                return Self.bearer(cached.token)
            }
            let bytes: [UInt8]
            do {
                bytes = try KubeFile.read(path, purpose: "bearer token")
            } catch {
                throw .credentials("cannot read the bearer token file \(path)")
            }
            let token = KubeSecret(Array(KubeFile.trimmed(String(decoding: bytes, as: UTF8.self)).utf8))
            guard !token.isEmpty else { throw .credentials("the bearer token file \(path) is empty") }
            fileCache.withLock { $0 = FileCache(token: token, readAt: now) }
            return Self.bearer(token)
        case .exec(let provider):
            let credential = try await provider.credential()
            guard let token = credential.token else {
                throw .credentials(
                    "exec plugin \(provider.config.command) returned a client certificate; only token credentials are supported"
                )
            }
            return Self.bearer(token)
        }
    }

    /// Called after a 401: the next request reads the token file or runs the plugin again.
    public func invalidate() async {
        switch mode {
        case .file: fileCache.withLock { $0 = nil }
        case .exec(let provider): await provider.invalidate()
        case .none, .token: break
        }
    }

    private static func bearer(_ token: KubeSecret) -> KubeSecret { KubeSecret(Array("Bearer ".utf8) + token.revealed) }
}
