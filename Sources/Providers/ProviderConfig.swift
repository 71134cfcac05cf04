import AssayCore

/// One LLM provider as written in evaluation requests and suite files:
///
/// ```json
/// {"type": "azure", "model": "gpt4o-prod", "baseURL": "https://acme.openai.azure.com",
///  "apiVersion": "2024-10-21", "apiKeyFile": "/var/run/secrets/azure/key", "timeoutSeconds": 10}
/// ```
///
/// Keys are never part of the config: only the name of an environment variable or the path of a
/// file (how Kubernetes mounts a Secret) that holds one.
public struct ProviderConfig: Sendable, Hashable {
    /// Per-request timeout when the config gives none (from the provider schema).
    public static let defaultTimeoutSeconds: Double = 5
    /// Upper bound for `maxRetries`: more only multiplies load on a provider that is failing.
    public static let maxRetriesLimit = 10
    /// Anthropic API version sent when `apiVersion` is absent (the version Anthropic's docs use
    /// in every example, https://docs.anthropic.com/en/api/versioning).
    public static let defaultAnthropicVersion = "2023-06-01"
    /// Gemini API version path segment when `apiVersion` is absent
    /// (https://ai.google.dev/gemini-api/docs/api-versions).
    public static let defaultGeminiVersion = "v1beta"

    public var type: ProviderType
    /// Model name; for Azure, the deployment name.
    public var model: String
    public var baseURL: String?
    public var apiKeyEnv: String?
    public var apiKeyFile: String?
    /// Azure: `api-version` query (required). Anthropic: `anthropic-version` header. Gemini: the
    /// path's version segment. Ignored for OpenAI.
    public var apiVersion: String?
    public var timeoutSeconds: Double
    public var maxRetries: Int?
    public var rateLimit: RateLimitConfig?
    /// Label in results and metrics; defaults to the type's name.
    public var name: String
    /// Sends no key at all, not even the vendor's usual variable: a provider defined inline by an
    /// API request (`--allow-inline-providers`) or an `EvaluationSuite` provider without `apiKey`.
    /// Whoever wrote such a config must not choose, or fall back to, a key the process holds.
    public var keyless: Bool

    public init(
        type: ProviderType, model: String, baseURL: String? = nil, apiKeyEnv: String? = nil,
        apiKeyFile: String? = nil, apiVersion: String? = nil, timeoutSeconds: Double = defaultTimeoutSeconds,
        maxRetries: Int? = nil, rateLimit: RateLimitConfig? = nil, name: String? = nil, keyless: Bool = false
    ) {
        self.type = type
        self.model = model
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.apiKeyFile = apiKeyFile
        self.apiVersion = apiVersion
        self.timeoutSeconds = timeoutSeconds
        self.maxRetries = maxRetries
        self.rateLimit = rateLimit
        self.name = name ?? type.rawValue
        self.keyless = keyless
    }

    /// `baseURL`, or the type's default, without a trailing slash.
    public var resolvedBaseURL: String {
        var url = baseURL ?? type.defaultBaseURL ?? ""
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Where the key comes from: the configured variable or file, else the vendor's usual variable.
    public var apiKeySource: APIKeySource {
        if keyless { return .none }
        if let apiKeyFile { return .file(apiKeyFile) }
        if let apiKeyEnv { return .environment(apiKeyEnv) }
        return .defaultEnvironment(type.defaultAPIKeyEnv)
    }

    static let fieldNames: Set<String> = [
        "type", "model", "baseURL", "apiKeyEnv", "apiKeyFile", "apiVersion", "timeoutSeconds", "maxRetries",
        "rateLimit", "name",
    ]

    /// Reads and validates a provider object; every error names the offending field under `path`.
    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> ProviderConfig {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: fieldNames)

        let typeName = try fields.required("type", fields.string)
        guard let type = ProviderType(rawValue: typeName) else {
            let known = ProviderType.allCases.map(\.rawValue).joined(separator: ", ")
            throw FieldError(
                path: fields.path("type"), message: "unknown provider type \"\(typeName)\"; expected one of: \(known)")
        }
        let model = try fields.required("model", fields.string)
        guard !model.isEmpty else { throw FieldError(path: fields.path("model"), message: "must not be empty") }

        let baseURL = try fields.string("baseURL")
        if let baseURL, !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
            throw FieldError(path: fields.path("baseURL"), message: "must be an http:// or https:// URL")
        }
        if let baseURL, baseURL.contains("?") {
            throw FieldError(
                path: fields.path("baseURL"),
                message: "must not contain a query; keys belong in apiKeyEnv or apiKeyFile")
        }
        let apiVersion = try fields.string("apiVersion")
        if type == .azure {
            guard baseURL != nil else {
                throw FieldError(
                    path: fields.path("baseURL"), message: "is required for azure (https://RESOURCE.openai.azure.com)")
            }
            guard let apiVersion, !apiVersion.isEmpty else {
                throw FieldError(
                    path: fields.path("apiVersion"), message: "is required for azure (for example \"2024-10-21\")")
            }
        }

        let apiKeyEnv = try fields.string("apiKeyEnv")
        let apiKeyFile = try fields.string("apiKeyFile")
        if apiKeyEnv != nil, apiKeyFile != nil {
            throw FieldError(path: fields.path("apiKeyFile"), message: "set only one of apiKeyEnv and apiKeyFile")
        }
        if let apiKeyEnv, !isEnvironmentName(apiKeyEnv) {
            throw FieldError(
                path: fields.path("apiKeyEnv"), message: "must be an environment variable name like OPENAI_API_KEY")
        }
        if let apiKeyFile, !apiKeyFile.hasPrefix("/") {
            throw FieldError(
                path: fields.path("apiKeyFile"), message: "must be an absolute path, such as a mounted Secret's file")
        }

        let timeout = try fields.number("timeoutSeconds") ?? defaultTimeoutSeconds
        guard timeout > 0, timeout <= 3600 else {
            throw FieldError(
                path: fields.path("timeoutSeconds"), message: "must be greater than 0 and at most 3600, got \(timeout)")
        }
        let maxRetries = try fields.integer("maxRetries")
        if let maxRetries, !(0...maxRetriesLimit).contains(maxRetries) {
            throw FieldError(
                path: fields.path("maxRetries"), message: "must be between 0 and \(maxRetriesLimit), got \(maxRetries)")
        }
        let rateLimit = try fields.value("rateLimit").map { v throws(FieldError) in
            try RateLimitConfig.decode(v, at: fields.path("rateLimit"))
        }
        let name = try fields.string("name")
        if let name, name.isEmpty { throw FieldError(path: fields.path("name"), message: "must not be empty") }

        return ProviderConfig(
            type: type, model: model, baseURL: baseURL, apiKeyEnv: apiKeyEnv, apiKeyFile: apiKeyFile,
            apiVersion: apiVersion, timeoutSeconds: timeout, maxRetries: maxRetries, rateLimit: rateLimit, name: name)
    }

    static func isEnvironmentName(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == UInt8(ascii: "_") || (first | 0x20) >= 97 && (first | 0x20) <= 122
        else { return false }
        return s.utf8.allSatisfy { c in
            c == UInt8(ascii: "_") || (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122)
        }
    }
}
