/// A value that goes up and down, updated without locks.
public final class Gauge: Sendable {
    private let current = AtomicDouble()

    init() {}

    /// Replaces the value.
    public func set(_ value: Double) {
        current.store(value)
    }

    /// Adds `amount` (default one).
    public func inc(by amount: Double = 1) {
        current.add(amount)
    }

    /// Subtracts `amount` (default one).
    public func dec(by amount: Double = 1) {
        current.add(-amount)
    }

    /// The current value.
    public var value: Double {
        current.load()
    }
}

/// A gauge family: one `Gauge` per tuple of label values.
public final class GaugeFamily: RegisteredFamily {
    public let name: String
    public let help: String
    let type = MetricType.gauge
    let shape: [Double] = []
    private let table: ChildTable<Gauge>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        table = ChildTable(name: name, labelNames: labelNames) { Gauge() }
    }

    public var labelNames: [String] { table.labelNames }

    /// The child for these label values; created on first use, the same object afterwards.
    public func labels(_ values: String...) -> Gauge {
        table.child(for: values)
    }

    /// The child for these label values.
    public func labels(_ values: [String]) -> Gauge {
        table.child(for: values)
    }

    func snapshot() -> MetricFamilySnapshot {
        let samples = table.sorted().map { MetricSample(name: name, labels: $0.labels, value: $0.child.value) }
        return MetricFamilySnapshot(name: name, help: help, type: type, samples: samples)
    }
}
