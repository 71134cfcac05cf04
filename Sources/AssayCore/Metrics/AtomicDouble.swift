import Synchronization

/// A Double updated without locks: its IEEE 754 bits live in an `Atomic<UInt64>` and every update
/// is a compare-exchange loop, so concurrent adds are never lost.
public final class AtomicDouble: Sendable {
    private let bits: Atomic<UInt64>

    public init(_ value: Double = 0) {
        bits = Atomic(value.bitPattern)
    }

    /// The current value.
    public func load() -> Double {
        Double(bitPattern: bits.load(ordering: .relaxed))
    }

    /// Replaces the value.
    public func store(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `delta` atomically.
    public func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.weakCompareExchange(
                expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
