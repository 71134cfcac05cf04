import Synchronization

/// The server-wide cap on open connections, shared by every event loop: a loop takes a slot for each
/// connection it accepts and gives it back when the connection closes.
final class ConnectionSlots: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Connections open now.
    var count: Int { open.load(ordering: .relaxed) }

    /// Takes a slot; `false` (and nothing taken) when all are in use.
    func take() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, actual) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = actual
        }
        return false
    }

    func give() {
        open.subtract(1, ordering: .relaxed)
    }
}
