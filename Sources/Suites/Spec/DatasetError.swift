/// A problem in a dataset file or ConfigMap, with the 1-based line it is on, so a user can open
/// the file at the line and fix it. No case of a dataset with an error is run.
public struct DatasetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file path or `configMap <name>/<key>`.
    public var source: String
    /// 1-based; 0 for a problem with the whole dataset (empty, too large).
    public var line: Int
    public var message: String

    public init(source: String, line: Int, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(source):\(line): \(message)" : "\(source): \(message)" }
}
