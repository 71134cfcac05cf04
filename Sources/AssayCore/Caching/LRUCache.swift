/// A thread-safe map that holds at most `capacity` entries and, when full, drops the one used
/// least recently.
///
/// Meant for compiled artefacts (regexes, criteria, schemas) that are costly to build and small
/// in number: a lookup is a hash plus a lock; an insert into a full cache scans for the oldest
/// entry, O(capacity), which is negligible next to the compile that produced the value.
///
/// The lookup path is `@inlinable` so that callers in other modules get it specialized for their
/// key and value types; unspecialized, every lookup resolved generic metadata at run time, which
/// cost as much as the lookup itself on small requests.
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline
    struct Entry {
        @usableFromInline
        var value: Value
        @usableFromInline
        var lastUse: UInt64

        @inlinable
        init(value: Value, lastUse: UInt64) {
            self.value = value
            self.lastUse = lastUse
        }
    }

    @usableFromInline
    struct State {
        @usableFromInline
        var entries: [Key: Entry] = [:]
        @usableFromInline
        var clock: UInt64 = 0

        @usableFromInline
        init() {}
    }

    public let capacity: Int
    @usableFromInline
    let state = Guarded(State())

    /// `capacity` below 1 is treated as 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { state.withLock { $0.entries.count } }

    /// The cached value, which becomes the most recently used.
    @inlinable
    public func value(forKey key: Key) -> Value? {
        state.withLock { state in
            // One hash of the key: the entry is found once and updated through its index.
            guard let found = state.entries.index(forKey: key) else { return nil }
            state.clock += 1
            state.entries.values[found].lastUse = state.clock
            return state.entries.values[found].value
        }
    }

    /// Stores `value`, evicting the least recently used entry if the cache is full.
    @inlinable
    public func insert(_ value: Value, forKey key: Key) {
        state.withLock { state in
            state.clock += 1
            if state.entries[key] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries[oldest] = nil
            }
            state.entries[key] = Entry(value: value, lastUse: state.clock)
        }
    }

    /// The cached value, or the one `make` builds, which is then cached. `make` runs outside the
    /// lock, so two threads missing at once may both build; the last insert wins. Errors are not
    /// cached.
    @inlinable
    public func value<E: Error>(forKey key: Key, orInsert make: () throws(E) -> Value) throws(E) -> Value {
        if let cached = value(forKey: key) { return cached }
        let made = try make()
        insert(made, forKey: key)
        return made
    }

    public func removeAll() {
        state.withLock { $0.entries.removeAll() }
    }
}
