import AssayCore
import Providers

/// An `EvaluationSuite` document in the Kubernetes shape, from a suite file or the cluster:
/// `apiVersion`, `kind`, `metadata` and ``EvaluationSuiteSpec``.
public struct EvaluationSuite: Sendable, Hashable {
    public static let apiVersion = "eval.assay.dev/v1alpha1"
    public static let kind = "EvaluationSuite"

    public struct Metadata: Sendable, Hashable {
        public var name: String
        public var namespace: String?
        /// Set by the API server; absent in a suite file.
        public var uid: String?
        public var generation: Int?

        public init(name: String, namespace: String? = nil, uid: String? = nil, generation: Int? = nil) {
            self.name = name
            self.namespace = namespace
            self.uid = uid
            self.generation = generation
        }
    }

    public var metadata: Metadata
    public var spec: EvaluationSuiteSpec

    public init(metadata: Metadata, spec: EvaluationSuiteSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Decodes a whole document; other metadata (labels, annotations, managedFields) and `status`
    /// are ignored, as a controller would. `providers` is who wrote it: a suite file
    /// (``ProviderOrigin/localFile``) or a cluster's resource (``ProviderOrigin/resource``).
    public static func decode(_ json: JSONValue, providers: ProviderOrigin = .localFile) throws(FieldError)
        -> EvaluationSuite
    {
        let fields = try JSONFields(json, at: "")
        try fields.rejectUnknown(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
        let version = try fields.required("apiVersion", fields.string)
        guard version == apiVersion else {
            throw FieldError(path: "apiVersion", message: "must be \(apiVersion), got \"\(version)\"")
        }
        let kind = try fields.required("kind", fields.string)
        guard kind == Self.kind else {
            throw FieldError(path: "kind", message: "must be \(Self.kind), got \"\(kind)\"")
        }
        let meta = try fields.required("metadata", fields.objectFields)
        let name = try meta.required("name", meta.string)
        if name.isEmpty { throw FieldError(path: "metadata.name", message: "must not be empty") }
        let metadata = Metadata(
            name: name, namespace: try meta.string("namespace"), uid: try meta.string("uid"),
            generation: try meta.integer("generation"))
        guard let spec = fields.value("spec") else { throw FieldError(path: "spec", message: "is required") }
        return EvaluationSuite(
            metadata: metadata, spec: try EvaluationSuiteSpec.decode(spec, at: "spec", providers: providers))
    }

    /// Parses a suite file's text (YAML, of which JSON is a subset); `providers` as in ``decode(_:providers:)``.
    public static func parse(_ text: String, source: String, providers: ProviderOrigin = .localFile)
        throws(SuiteError) -> EvaluationSuite
    {
        let json: JSONValue
        do {
            json = try YAMLLoader.load(text)
        } catch {
            throw .syntax(source: source, error)
        }
        do {
            return try decode(json, providers: providers)
        } catch {
            throw .invalid(source: source, error, line: YAMLFieldLocator.line(of: error.path, in: text))
        }
    }
}

/// Why a suite could not be loaded; every case names the file, and the field or line to fix.
public enum SuiteError: Error, Sendable, CustomStringConvertible {
    case unreadable(source: String, reason: String)
    case syntax(source: String, YAMLError)
    /// `line` is where the field (or its nearest present parent) is written, when it can be found.
    case invalid(source: String, FieldError, line: Int?)
    case dataset(DatasetError)

    public var description: String {
        switch self {
        case .unreadable(let source, let reason): "\(source): cannot read: \(reason)"
        case .syntax(let source, let error): "\(source):\(error.line):\(error.column): \(error.reason)"
        case .invalid(let source, let error, let line):
            line.map { "\(source):\($0): \(error)" } ?? "\(source): \(error)"
        case .dataset(let error): error.description
        }
    }
}
