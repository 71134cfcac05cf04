import AssayCore

/// Authentication and authorization answers kept for a while, so that a busy caller costs the API
/// server one review per token (or per permission) per TTL, as kube-rbac-proxy and the API
/// server's own webhook caches do. Bounded: a flood of random tokens evicts the least recently
/// used entries instead of growing memory.
public final class DecisionCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Entries kept at most: far more distinct callers than an evaluator serves. (Our choice.)
    public static var defaultCapacity: Int { 4096 }

    private struct Entry: Sendable {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private let entries: LRUCache<Key, Entry>
    private let clock: any MonotonicClock

    public init(capacity: Int = defaultCapacity, clock: any MonotonicClock = SystemClock()) {
        entries = LRUCache(capacity: capacity)
        self.clock = clock
    }

    /// The value stored for `key` unless it has expired.
    public func value(forKey key: Key) -> Value? {
        guard let entry = entries.value(forKey: key), entry.expires > clock.now else { return nil }
        return entry.value
    }

    /// Keeps `value` for `ttl`; a zero TTL keeps nothing.
    public func insert(_ value: Value, forKey key: Key, ttl: Duration) {
        guard ttl > .zero else { return }
        entries.insert(Entry(value: value, expires: clock.now + ttl), forKey: key)
    }
}
