import Synchronization

/// A thread-safe map that holds at most `capacity` entries and, when full, drops the one used
/// least recently.
///
/// Meant for compiled artefacts (regexes, criteria, schemas) that are costly to build and small
/// in number: a lookup is a hash plus a lock; an insert into a full cache scans for the oldest
/// entry, O(capacity), which is negligible next to the compile that produced the value.
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
    }

    public let capacity: Int
    private let state = Mutex(State())

    /// `capacity` below 1 is treated as 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { state.withLock { $0.entries.count } }

    /// The cached value, which becomes the most recently used.
    public func value(forKey key: Key) -> Value? {
        state.withLock { state in
            guard state.entries[key] != nil else { return nil }
            state.clock += 1
            state.entries[key]!.lastUse = state.clock
            return state.entries[key]!.value
        }
    }

    /// Stores `value`, evicting the least recently used entry if the cache is full.
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
