import AssayCore

/// Who wrote a provider chain (a target's `providers`, an `llmJudge` criterion's `judge`), which
/// decides what each element may say. A caller must never choose where a secret goes, or which
/// variable or file is read:
///
/// - ``localFile``: a suite file run by `assay-evaluator run` is the local user's own input; full
///   definitions, keys from `apiKeyEnv`, `apiKeyFile` or the vendor's usual variable.
/// - ``resource``: an `EvaluationSuite` in a cluster; full definitions without `apiKeyEnv` or
///   `apiKeyFile` (a key comes only from an `apiKey` Secret reference of the suite's namespace, see
///   `ProviderSpec`), so these providers are ``ProviderConfig/keyless``.
/// - ``request(_:allowInline:)``: an API request names the evaluator's configured providers, as a
///   string or `{"name": "..."}`. An inline definition is refused unless `--allow-inline-providers`,
///   and even then it may not name a key source and sends no key.
public enum ProviderOrigin: Sendable, Hashable {
    case localFile
    case resource
    case request(ProviderCatalog, allowInline: Bool)

    /// Providers one chain may list. Each may take its full timeout, so a longer chain mostly adds
    /// waiting; real fallback chains have two or three. (Our choice.)
    public static let maxChainLength = 8

    /// Fields that choose where a key comes from.
    public static let keySourceFields = ["apiKeyEnv", "apiKeyFile"]

    /// The provider the element at `path` stands for.
    public func provider(_ json: JSONValue, at path: String) throws(FieldError) -> ProviderConfig {
        switch self {
        case .localFile:
            return try ProviderConfig.decode(json, at: path)
        case .resource:
            try Self.rejectKeySources(
                json, at: path,
                message:
                    "cannot be set in an EvaluationSuite resource: a resource cannot name an environment variable or a file; use spec.judge with apiKey: {secretName, key}"
            )
            var config = try ProviderConfig.decode(json, at: path)
            config.keyless = true
            return config
        case .request(let catalog, let allowInline):
            return try Self.requested(json, at: path, catalog: catalog, allowInline: allowInline)
        }
    }

    /// A chain: a non-empty array of at most `maxProviders` elements, each read with its path.
    public func chain(_ json: JSONValue, at path: String, maxProviders: Int = maxChainLength)
        throws(FieldError) -> [ProviderConfig]
    {
        guard case .array(let items) = json else {
            throw FieldError(path: path, message: "must be an array of providers, got \(json.typeName)")
        }
        guard !items.isEmpty else { throw FieldError(path: path, message: "must list at least one provider") }
        guard items.count <= maxProviders else {
            throw FieldError(
                path: path, message: "lists \(items.count) providers; at most \(maxProviders) are allowed in one chain")
        }
        var providers: [ProviderConfig] = []
        for (index, item) in items.enumerated() {
            providers.append(try provider(item, at: FieldError.join(path, index)))
        }
        return providers
    }

    private static func requested(
        _ json: JSONValue, at path: String, catalog: ProviderCatalog, allowInline: Bool
    ) throws(FieldError) -> ProviderConfig {
        switch json {
        case .string(let name):
            return try named(name, at: path, catalog: catalog)
        case .object(let object) where object.count == 1 && object["name"] != nil:
            guard case .string(let name) = object["name"] else {
                throw FieldError(
                    path: FieldError.join(path, "name"), message: "must be a string, got \(object["name"]!.typeName)")
            }
            return try named(name, at: FieldError.join(path, "name"), catalog: catalog)
        case .object(let object):
            guard allowInline else {
                let field = definingField(object)
                throw FieldError(
                    path: FieldError.join(path, field),
                    message:
                        "cannot be set by a request: a request cannot define or change a provider; name a configured one instead, as a string or {\"name\": ...} (configured: \(catalog.namesForMessage))"
                )
            }
            try rejectKeySources(
                json, at: path,
                message:
                    "cannot be set by a request, even with --allow-inline-providers: keys come only from the evaluator's --providers-file"
            )
            var config = try ProviderConfig.decode(json, at: path)
            if object["name"] != nil, catalog.provider(named: config.name) != nil {
                throw FieldError(
                    path: FieldError.join(path, "name"),
                    message:
                        "\"\(config.name)\" is a configured provider; name it alone ({\"name\": \"\(config.name)\"}) or give an inline definition its own name"
                )
            }
            config.keyless = true
            return config
        default:
            throw FieldError(
                path: path,
                message:
                    "must name a configured provider, as a string or {\"name\": ...}, got \(json.typeName) (configured: \(catalog.namesForMessage))"
            )
        }
    }

    private static func named(_ name: String, at path: String, catalog: ProviderCatalog) throws(FieldError)
        -> ProviderConfig
    {
        guard let config = catalog.provider(named: name) else {
            throw FieldError(
                path: path, message: "unknown provider \"\(name)\"; configured: \(catalog.namesForMessage)")
        }
        return config
    }

    /// The field an inline definition is reported by: a key source first, then the address, then
    /// the first other member.
    private static func definingField(_ object: JSONObject) -> String {
        for key in keySourceFields + ["baseURL"] where object[key] != nil { return key }
        return object.keys.first { $0 != "name" } ?? "name"
    }

    private static func rejectKeySources(_ json: JSONValue, at path: String, message: String) throws(FieldError) {
        guard case .object(let object) = json else { return }
        for key in keySourceFields where object[key] != nil {
            throw FieldError(path: FieldError.join(path, key), message: message)
        }
    }
}
