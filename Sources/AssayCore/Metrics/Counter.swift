import Synchronization

/// A monotonically increasing value. Whole-number increments go to an integer atomic (one
/// `wrappingAdd`); fractional ones to a Double updated by compare-exchange.
public final class Counter: Sendable {
    private let whole = Atomic<UInt64>(0)
    private let fraction = AtomicDouble()

    /// Largest whole increment taken by the integer path: beyond 2^53 a Double loses integers.
    private static let maxExactWhole = 9_007_199_254_740_992.0

    init() {}

    /// Adds one.
    public func inc() {
        whole.wrappingAdd(1, ordering: .relaxed)
    }

    /// Adds `amount`, which must not be negative (a counter only goes up).
    public func inc(by amount: Double) {
        precondition(amount >= 0, "a counter cannot decrease (inc(by: \(amount)))")
        if amount == amount.rounded(.towardZero) && amount < Self.maxExactWhole {
            whole.wrappingAdd(UInt64(amount), ordering: .relaxed)
        } else {
            fraction.add(amount)
        }
    }

    /// The current total.
    public var value: Double {
        Double(whole.load(ordering: .relaxed)) + fraction.load()
    }
}

/// A counter family: one `Counter` per tuple of label values.
public final class CounterFamily: RegisteredFamily {
    public let name: String
    public let help: String
    let type = MetricType.counter
    let shape: [Double] = []
    private let table: ChildTable<Counter>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        table = ChildTable(name: name, labelNames: labelNames) { Counter() }
    }

    public var labelNames: [String] { table.labelNames }

    /// The child for these label values (in the order the family's labels were declared); created
    /// on first use and the same object afterwards, so callers can keep it.
    public func labels(_ values: String...) -> Counter {
        table.child(for: values)
    }

    /// The child for these label values.
    public func labels(_ values: [String]) -> Counter {
        table.child(for: values)
    }

    func snapshot() -> MetricFamilySnapshot {
        let samples = table.sorted().map { MetricSample(name: name, labels: $0.labels, value: $0.child.value) }
        return MetricFamilySnapshot(name: name, help: help, type: type, samples: samples)
    }
}
