/// One way an instance fails its schema.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer (RFC 6901) to the offending part of the instance; `""` for the root.
    public var instancePath: String
    /// The schema keyword that failed, e.g. `required` or `maximum`.
    public var keyword: String
    public var message: String

    public init(instancePath: String, keyword: String, message: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.message = message
    }

    public var description: String {
        instancePath.isEmpty ? "\(keyword): \(message)" : "\(instancePath): \(keyword): \(message)"
    }
}
