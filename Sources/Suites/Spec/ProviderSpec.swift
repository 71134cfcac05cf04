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

    /// A resource's chain at `path`: in a cluster a key comes only from an `apiKey` Secret
    /// reference in the suite's own namespace (the operator puts it in the evaluator pods'
    /// environment), never from a variable or a file the resource names; a provider without
    /// `apiKey` sends no key.
    static func forResource(_ chain: [ProviderSpec], at path: String) throws(FieldError) -> [ProviderSpec] {
        try chain.enumerated().map { (index, spec) throws(FieldError) -> ProviderSpec in
            let itemPath = FieldError.join(path, index)
            guard spec.apiKey == nil else { return spec }
            for (field, set) in [
                ("apiKeyEnv", spec.config.apiKeyEnv != nil), ("apiKeyFile", spec.config.apiKeyFile != nil),
            ]
            where set {
                throw FieldError(
                    path: FieldError.join(itemPath, field),
                    message:
                        "cannot be set in an EvaluationSuite resource: a resource cannot name an environment variable or a file; give the key as apiKey: {secretName, key}"
                )
            }
            var spec = spec
            spec.config.keyless = true
            return spec
        }
    }

    /// Providers one chain may list (``ProviderOrigin/maxChainLength``).
    public static let maxPerChain = ProviderOrigin.maxChainLength

    /// A non-empty chain at `path`.
    static func decodeChain(_ json: JSONValue?, at path: String) throws(FieldError) -> [ProviderSpec] {
        guard let json else { throw FieldError(path: path, message: "is required") }
        guard case .array(let items) = json else {
            throw FieldError(path: path, message: "must be an array of providers, got \(json.typeName)")
        }
        guard !items.isEmpty else { throw FieldError(path: path, message: "must list at least one provider") }
        guard items.count <= maxPerChain else {
            throw FieldError(path: path, message: "lists \(items.count) providers; at most \(maxPerChain) are allowed")
        }
        var chain: [ProviderSpec] = []
        for (index, item) in items.enumerated() {
            chain.append(try ProviderSpec.decode(item, at: FieldError.join(path, index)))
        }
        return chain
    }
}
