/// The outcomes of the last `capacity` calls (a count-based sliding window) and the current run
/// of consecutive failures: what a closed ``CircuitState`` remembers.
public struct CallWindow: Sendable, Equatable {
    public let capacity: Int
    /// `true` for a failure, oldest first once the ring wraps at `next`.
    private var outcomes: [Bool] = []
    private var next = 0
    public private(set) var failures = 0
    public private(set) var consecutiveFailures = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var calls: Int { outcomes.count }

    /// Failures over calls; 0 when empty.
    public var failureRate: Double { outcomes.isEmpty ? 0 : Double(failures) / Double(outcomes.count) }

    public mutating func record(failure: Bool) {
        consecutiveFailures = failure ? consecutiveFailures + 1 : 0
        if failure { failures += 1 }
        if outcomes.count < capacity {
            outcomes.append(failure)
            return
        }
        if outcomes[next] { failures -= 1 }
        outcomes[next] = failure
        next = (next + 1) % capacity
    }
}
