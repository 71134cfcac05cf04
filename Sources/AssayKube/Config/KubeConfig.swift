import AssayCore

/// One or more kubeconfig files merged, as `kubectl` reads them.
///
/// Merging follows kubectl's rules: files are read in `KUBECONFIG` order, the first file to define
/// a cluster, user or context name wins, and `current-context` comes from the first file that sets
/// it. Missing files in the list are skipped; relative paths inside a file are resolved against
/// that file's directory.
public struct KubeConfig: Sendable {
    public struct Cluster: Sendable, Hashable {
        public var server: String
        public var certificateAuthority: KubeCredentialSource?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
    }

    public struct User: Sendable, Hashable {
        public var token: KubeSecret?
        public var tokenFile: String?
        public var clientCertificate: KubeCredentialSource?
        public var clientKey: KubeCredentialSource?
        public var exec: ExecConfig?
        /// `auth-provider` is set: the removed in-tree plugins (gcp, azure, oidc) are not supported.
        public var authProvider: String?
        public var hasBasicAuth: Bool
    }

    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?

    public init() {}

    /// The files `KUBECONFIG` lists (`:`-separated, empty entries skipped), or `~/.kube/config`.
    public static func paths(environment: [String: String]) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        return ["\(environment["HOME"] ?? "")/.kube/config"]
    }

    /// The merged kubeconfig the environment points at.
    public static func load(environment: [String: String] = KubeEnvironment.current) throws(KubeError) -> KubeConfig {
        try load(paths: paths(environment: environment))
    }

    /// Merges `paths` in order; missing files are skipped, but at least one must exist.
    public static func load(paths: [String]) throws(KubeError) -> KubeConfig {
        var merged = KubeConfig()
        var found = false
        for path in paths where KubeFile.exists(path) {
            found = true
            let bytes = try KubeFile.read(path, purpose: "kubeconfig")
            let file = try parse(
                String(decoding: bytes, as: UTF8.self), directory: KubeFile.directory(of: path), origin: path)
            merged.merge(file)
        }
        guard found else {
            throw .configuration(
                "no kubeconfig found at \(paths.joined(separator: ", ")); set KUBECONFIG or run inside a pod")
        }
        return merged
    }

    /// Adds what `lower` defines and `self` does not: `self` wins every name it already has.
    public mutating func merge(_ lower: KubeConfig) {
        clusters.merge(lower.clusters) { mine, _ in mine }
        users.merge(lower.users) { mine, _ in mine }
        contexts.merge(lower.contexts) { mine, _ in mine }
        if currentContext == nil { currentContext = lower.currentContext }
    }

    /// One kubeconfig document. `directory` resolves relative file paths; `origin` names the file
    /// in error messages.
    public static func parse(_ text: String, directory: String, origin: String = "kubeconfig") throws(KubeError)
        -> KubeConfig
    {
        let document: JSONValue
        do {
            document = try YAMLLoader.load(text)
        } catch {
            throw .configuration("\(origin) is not valid YAML: \(error)")
        }
        do {
            return try decode(document, directory: directory)
        } catch {
            throw .configuration("\(origin): \(error)")
        }
    }

    private static func decode(_ document: JSONValue, directory: String) throws(FieldError) -> KubeConfig {
        var config = KubeConfig()
        if document == .null { return config }
        let root = try JSONFields(document, at: "")
        if let current = try root.string("current-context"), !current.isEmpty { config.currentContext = current }
        for (name, fields) in try namedEntries(root, "clusters", member: "cluster") where config.clusters[name] == nil {
            guard let server = try fields.string("server"), !server.isEmpty else {
                throw FieldError(path: fields.path("server"), message: "is required: the API server's URL")
            }
            config.clusters[name] = Cluster(
                server: server,
                certificateAuthority: try source(
                    fields, file: "certificate-authority", data: "certificate-authority-data", directory: directory),
                insecureSkipTLSVerify: try fields.bool("insecure-skip-tls-verify") ?? false,
                tlsServerName: try fields.string("tls-server-name"))
        }
        for (name, fields) in try namedEntries(root, "users", member: "user") where config.users[name] == nil {
            config.users[name] = User(
                token: try fields.string("token").flatMap { $0.isEmpty ? nil : KubeSecret($0) },
                tokenFile: try fields.string("tokenFile").map { KubeFile.resolve($0, against: directory) },
                clientCertificate: try source(
                    fields, file: "client-certificate", data: "client-certificate-data", directory: directory),
                clientKey: try source(fields, file: "client-key", data: "client-key-data", directory: directory),
                exec: try fields.objectFields("exec").map { exec throws(FieldError) in try execConfig(exec) },
                authProvider: try fields.objectFields("auth-provider").map { provider throws(FieldError) in
                    try provider.string("name") ?? "unnamed"
                },
                hasBasicAuth: fields.has("username") || fields.has("password"))
        }
        for (name, fields) in try namedEntries(root, "contexts", member: "context") where config.contexts[name] == nil {
            config.contexts[name] = Context(
                cluster: try fields.requiredString("cluster"), user: try fields.string("user") ?? "",
                namespace: try fields.string("namespace").flatMap { $0.isEmpty ? nil : $0 })
        }
        return config
    }

    /// `clusters: [{name: x, cluster: {...}}]` as `(x, fields of {...})`.
    private static func namedEntries(_ root: JSONFields, _ key: String, member: String) throws(FieldError)
        -> [(String, JSONFields)]
    {
        var out: [(String, JSONFields)] = []
        for (index, item) in (try root.array(key) ?? []).enumerated() {
            let entry = try JSONFields(item, at: FieldError.join(root.path(key), index))
            let name = try entry.requiredString("name")
            var body = try JSONFields(.object(JSONObject()), at: entry.path(member))
            if let fields = try entry.objectFields(member) { body = fields }
            out.append((name, body))
        }
        return out
    }

    /// The `*-data` field wins over the file field, as in client-go.
    private static func source(_ fields: JSONFields, file: String, data: String, directory: String) throws(FieldError)
        -> KubeCredentialSource?
    {
        if let encoded = try fields.string(data), !encoded.isEmpty {
            do {
                return .data(KubeSecret(try KubeFile.base64(encoded, field: data)))
            } catch {
                throw FieldError(path: fields.path(data), message: "must be base64-encoded PEM")
            }
        }
        if let path = try fields.string(file), !path.isEmpty {
            return .file(KubeFile.resolve(path, against: directory))
        }
        return nil
    }

    private static func execConfig(_ fields: JSONFields) throws(FieldError) -> ExecConfig {
        var env: [String: String] = [:]
        for (index, item) in (try fields.array("env") ?? []).enumerated() {
            let entry = try JSONFields(item, at: FieldError.join(fields.path("env"), index))
            env[try entry.requiredString("name")] = try entry.string("value") ?? ""
        }
        let apiVersion = try fields.requiredString("apiVersion")
        guard ExecCredentialProvider.supportedAPIVersions.contains(apiVersion) else {
            throw FieldError(
                path: fields.path("apiVersion"),
                message:
                    "\(apiVersion) is not supported; use one of \(ExecCredentialProvider.supportedAPIVersions.sorted().joined(separator: ", "))"
            )
        }
        return ExecConfig(
            command: try fields.requiredString("command"), args: try fields.strings("args") ?? [], env: env,
            apiVersion: apiVersion, installHint: try fields.string("installHint"),
            provideClusterInfo: try fields.bool("provideClusterInfo") ?? false)
    }

    /// The connection for `context`, or for `current-context` when `nil` (kubectl's `--context`).
    public func connection(context: String? = nil) throws(KubeError) -> KubeConnection {
        guard let contextName = context ?? currentContext else {
            throw .configuration(
                "no current-context is set and no context was given; pick one of: \(contexts.keys.sorted().joined(separator: ", "))"
            )
        }
        guard let ctx = contexts[contextName] else {
            throw .configuration(
                "context \"\(contextName)\" is not defined; known contexts: \(contexts.keys.sorted().joined(separator: ", "))"
            )
        }
        guard let cluster = clusters[ctx.cluster] else {
            throw .configuration("context \"\(contextName)\" names cluster \"\(ctx.cluster)\", which is not defined")
        }
        let user: User
        if ctx.user.isEmpty {
            user = User(hasBasicAuth: false)
        } else if let found = users[ctx.user] {
            user = found
        } else {
            throw .configuration("context \"\(contextName)\" names user \"\(ctx.user)\", which is not defined")
        }
        if cluster.insecureSkipTLSVerify && cluster.certificateAuthority != nil {
            throw .configuration(
                "cluster \"\(ctx.cluster)\" sets both a certificate authority and insecure-skip-tls-verify; remove one")
        }
        if let provider = user.authProvider {
            throw .configuration(
                "user \"\(ctx.user)\" uses auth-provider \(provider), which Kubernetes removed; switch to an exec plugin"
            )
        }
        if user.hasBasicAuth {
            throw .configuration("user \"\(ctx.user)\" uses username/password, which is not supported; use a token")
        }
        if (user.clientCertificate == nil) != (user.clientKey == nil) {
            throw .configuration("user \"\(ctx.user)\" must set both a client certificate and a client key, or neither")
        }
        let auth: KubeAuth
        switch (user.token, user.tokenFile, user.exec) {
        case (.some, _, .some), (_, .some, .some):
            throw .configuration("user \"\(ctx.user)\" sets both a token and an exec plugin; keep one")
        case (.some(let token), _, nil):
            // client-go: a literal token wins over tokenFile.
            auth = .token(token)
        case (nil, .some(let file), nil):
            auth = .tokenFile(file)
        case (nil, nil, .some(let exec)):
            auth = .exec(exec)
        case (nil, nil, nil):
            auth = .none
        }
        guard cluster.server.hasPrefix("https://") || cluster.server.hasPrefix("http://") else {
            throw .configuration(
                "cluster \"\(ctx.cluster)\" server \(cluster.server) must start with https:// or http://")
        }
        return KubeConnection(
            server: cluster.server, namespace: ctx.namespace ?? KubeConnection.defaultNamespace,
            tls: KubeTLS(
                certificateAuthority: cluster.certificateAuthority, clientCertificate: user.clientCertificate,
                clientKey: user.clientKey, insecureSkipVerify: cluster.insecureSkipTLSVerify,
                serverName: cluster.tlsServerName),
            auth: auth)
    }
}

extension KubeConfig.User {
    init(hasBasicAuth: Bool) {
        self.init(
            token: nil, tokenFile: nil, clientCertificate: nil, clientKey: nil, exec: nil, authProvider: nil,
            hasBasicAuth: hasBasicAuth)
    }
}

extension JSONFields {
    fileprivate func requiredString(_ key: String) throws(FieldError) -> String {
        guard let value = try string(key) else { throw FieldError(path: path(key), message: "is required") }
        return value
    }
}
