/// The waiting keys of a ``ReconcileQueueMachine`` ordered by the time they become ready: a binary
/// min-heap of (time, arrival) entries, so the earliest key is found in O(1) and handed out in
/// O(log n) whatever the number of keys, where a scan of every key made each event cost O(keys).
///
/// An index, not the truth: the machine's `keys` say where a key is, and an entry whose time no
/// longer matches its key's (the key was handed out, or an add moved it earlier) is stale and is
/// dropped when it reaches the top. Ties go to the entry pushed first, so equal times come out in
/// arrival order.
struct ReadyIndex<Key: Hashable & Sendable>: Sendable {
    struct Entry: Sendable {
        var readyAt: ContinuousClock.Instant
        var arrival: UInt64
        var key: Key

        func precedes(_ other: Entry) -> Bool {
            readyAt != other.readyAt ? readyAt < other.readyAt : arrival < other.arrival
        }
    }

    private(set) var entries: [Entry] = []
    private var arrivals: UInt64 = 0

    var count: Int { entries.count }
    var top: Entry? { entries.first }

    mutating func push(_ key: Key, readyAt: ContinuousClock.Instant) {
        entries.append(Entry(readyAt: readyAt, arrival: arrivals, key: key))
        arrivals &+= 1
        siftUp(entries.count - 1)
    }

    @discardableResult
    mutating func popTop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        if !entries.isEmpty { siftDown(0) }
        return top
    }

    /// Keeps only the entries `isCurrent` accepts, in heap order again (O(n)).
    mutating func rebuild(keeping isCurrent: (Entry) -> Bool) {
        entries.removeAll { !isCurrent($0) }
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < entries.count, entries[left].precedes(entries[first]) { first = left }
            if right < entries.count, entries[right].precedes(entries[first]) { first = right }
            guard first != parent else { return }
            entries.swapAt(parent, first)
            parent = first
        }
    }
}
