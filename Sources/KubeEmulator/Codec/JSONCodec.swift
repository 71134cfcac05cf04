import AssayCore

/// The emulator's JSON wire format: the project's shared parser and writer, with the error type
/// the API layer turns into a `Status` (BadRequest).
enum JSONCodec {
    struct ParseError: Error, Sendable, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Nesting limit: Kubernetes objects (a Deployment with its pod template) nest about 15 deep;
    /// CRD schemas a few dozen. 512 keeps every real object while bounding recursion.
    static let maximumDepth = 512

    static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, limits: JSONLimits(maxDepth: maximumDepth))
        } catch {
            throw ParseError(offset: error.offset, message: error.reason)
        }
    }

    static func parse(_ text: String) throws(ParseError) -> JSONValue { try parse(Array(text.utf8)) }

    static func bytes(_ value: JSONValue) -> [UInt8] { JSONWriter.bytes(value) }

    static func string(_ value: JSONValue) -> String { JSONWriter.string(value) }

    static func write(_ value: JSONValue, into out: inout [UInt8]) { JSONWriter.write(value, into: &out) }
}
