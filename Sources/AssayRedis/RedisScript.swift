import AssayCore

/// A Lua script Redis caches by the SHA-1 of its source, run with ``RedisClient/run(_:keys:arguments:)``.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lowercase hex SHA-1 of `source`, computed here so no round trip is needed to learn it.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        sha1 = SHA1.hexDigest(Array(source.utf8))
    }
}
