import AssayCore

/// Compiled ``BoundedRegex``es by pattern and flags, so that requests repeating a pattern skip
/// PCRE2's compile and JIT steps (tens to hundreds of microseconds each).
public final class RegexCache: Sendable {
    public struct Key: Hashable, Sendable {
        public var pattern: String
        public var caseInsensitive: Bool
    }

    /// Distinct patterns in use at once: criteria come from a few suites and their variants, so a
    /// few hundred covers them, and each entry (compiled code plus JIT code) is a few KiB.
    public static let defaultCapacity = 512
    /// Longer patterns are compiled per use instead of cached, so that a few huge patterns cannot
    /// pin megabytes; 16 KiB is far beyond any hand-written pattern.
    public static let maxCachedPatternBytes = 16 * 1024

    public let limits: RegexLimits
    private let cache: LRUCache<Key, BoundedRegex>

    public init(capacity: Int = defaultCapacity, limits: RegexLimits = .default) {
        self.limits = limits
        self.cache = LRUCache(capacity: capacity)
    }

    public var count: Int { cache.count }

    /// The compiled pattern, from the cache or compiled now. Invalid patterns are not cached.
    public func regex(pattern: String, caseInsensitive: Bool = false) throws(RegexError) -> BoundedRegex {
        guard pattern.utf8.count <= Self.maxCachedPatternBytes else {
            return try BoundedRegex(pattern: pattern, caseInsensitive: caseInsensitive, limits: limits)
        }
        return try cache.value(forKey: Key(pattern: pattern, caseInsensitive: caseInsensitive)) {
            () throws(RegexError) -> BoundedRegex in
            try BoundedRegex(pattern: pattern, caseInsensitive: caseInsensitive, limits: limits)
        }
    }
}
