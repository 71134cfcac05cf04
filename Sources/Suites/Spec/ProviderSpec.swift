import AssayCore
import Providers

/// One provider of a target's or the judge's chain: a ``ProviderConfig`` plus, in a suite, an
/// optional Secret reference for its API key.
public struct ProviderSpec: SpecDecodable, Hashable {
    public var config: ProviderConfig
    public var apiKey: SecretKeyRef?

    public init(config: ProviderConfig, apiKey: SecretKeyRef? = nil) {
        self.config = config
        self.apiKey = apiKey
    }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> ProviderSpec {
        let fields = try JSONFields(json, at: path)
        var apiKey: SecretKeyRef?
        var rest = JSONObject()
        for (key, value) in fields.object {
            if key == "apiKey" {
                apiKey = try SecretKeyRef.decode(value, at: fields.path(key))
            } else {
                rest[key] = value
            }
        }
        if apiKey != nil {
            for other in ["apiKeyEnv", "apiKeyFile"] where fields.has(other) {
                throw FieldError(
                    path: fields.path(other), message: "cannot be combined with apiKey; give the key one way")
            }
        }
        var config = try ProviderConfig.decode(.object(rest), at: path)
        if let apiKey, config.apiKeyEnv == nil { config.apiKeyEnv = apiKey.environmentVariable }
        return ProviderSpec(config: config, apiKey: apiKey)
    }

    public static var structuralSchema: JSONValue { SpecSchema.preserved }

    /// Providers one chain may list (``ProviderOrigin/maxChainLength``).
    public static let maxPerChain = ProviderOrigin.maxChainLength

    /// A non-empty chain at `path`, each element read as `origin` allows: a suite file's full
    /// definitions (keys from `apiKey`, `apiKeyEnv` or `apiKeyFile`); a resource's definitions
    /// whose keys come only from `apiKey` Secret references in the suite's own namespace (the
    /// operator puts them in the evaluator pods' environment), never from a variable or a file the
    /// resource names, so that a provider without `apiKey` sends no key; a request's names of
    /// configured providers.
    public static func decodeChain(_ json: JSONValue?, at path: String, providers origin: ProviderOrigin)
        throws(FieldError) -> [ProviderSpec]
    {
        guard let json else { throw FieldError(path: path, message: "is required") }
        guard case .array(let items) = json else {
            throw FieldError(path: path, message: "must be an array of providers, got \(json.typeName)")
        }
        guard !items.isEmpty else { throw FieldError(path: path, message: "must list at least one provider") }
        guard items.count <= maxPerChain else {
            throw FieldError(
                path: path, message: "lists \(items.count) providers; at most \(maxPerChain) are allowed in one chain")
        }
        var chain: [ProviderSpec] = []
        for (index, item) in items.enumerated() {
            let itemPath = FieldError.join(path, index)
            switch origin {
            case .localFile:
                chain.append(try ProviderSpec.decode(item, at: itemPath))
            case .resource:
                chain.append(try forResource(try ProviderSpec.decode(item, at: itemPath), at: itemPath))
            case .request:
                chain.append(ProviderSpec(config: try origin.provider(item, at: itemPath)))
            }
        }
        return chain
    }

    /// A resource's provider: with an `apiKey` as given, else keyless, and never with a key
    /// source of its own.
    private static func forResource(_ spec: ProviderSpec, at path: String) throws(FieldError) -> ProviderSpec {
        guard spec.apiKey == nil else { return spec }
        for (field, set) in [
            ("apiKeyEnv", spec.config.apiKeyEnv != nil), ("apiKeyFile", spec.config.apiKeyFile != nil),
        ]
        where set {
            throw FieldError(
                path: FieldError.join(path, field),
                message:
                    "cannot be set in an EvaluationSuite resource: a resource cannot name an environment variable or a file; give the key as apiKey: {secretName, key}"
            )
        }
        var spec = spec
        spec.config.keyless = true
        return spec
    }
}
