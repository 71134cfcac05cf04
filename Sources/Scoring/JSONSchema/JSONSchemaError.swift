/// A schema that cannot be compiled: a keyword with the wrong type or value, a `$ref` that
/// points nowhere, a `pattern` that is not a valid regular expression.
public struct JSONSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the schema: dotted member names with `[i]` for array elements, e.g.
    /// `properties.age.minimum` or `allOf[1].type`; empty for the schema itself.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? "schema: \(message)" : "schema at \(path): \(message)" }
}
