import Synchronization

/// Counts observations into buckets by upper bound (`le`), and keeps their sum and count.
/// Each bucket holds only its own observations; the exposition makes them cumulative, so `_count`
/// always equals the `+Inf` bucket even while observations land during a scrape.
public final class Histogram: Sendable {
    /// Latency buckets in seconds, 5 ms to 10 s: the default of the official Go and Python clients.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Finite upper bounds, ascending; the `+Inf` bucket is implicit.
    public let upperBounds: [Double]
    /// One cell per finite bound plus the `+Inf` bucket.
    private let counts: [Cell]
    private let total = AtomicDouble()

    private final class Cell: Sendable {
        let value = Atomic<UInt64>(0)
    }

    init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        counts = (0...upperBounds.count).map { _ in Cell() }
    }

    /// Records one observation.
    public func observe(_ value: Double) {
        var index = 0
        // Linear search: bucket lists are short (about a dozen), and this beats a binary search there.
        while index < upperBounds.count && !(value <= upperBounds[index]) {
            index += 1
        }
        counts[index].value.wrappingAdd(1, ordering: .relaxed)
        total.add(value)
    }

    /// Cumulative counts per finite bound, then the `+Inf` bucket (the total count).
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { cell in
            running &+= cell.value.load(ordering: .relaxed)
            return running
        }
    }

    /// The sum of all observations.
    public var sum: Double {
        total.load()
    }

    /// `count` bounds starting at `start`, each `factor` times the previous one.
    public static func exponentialBuckets(start: Double, factor: Double, count: Int) -> [Double] {
        precondition(start > 0 && factor > 1 && count > 0, "exponentialBuckets needs start > 0, factor > 1, count > 0")
        var bounds: [Double] = []
        var bound = start
        for _ in 0..<count {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }

    /// Sorts bounds and drops a trailing `+Inf` (always present implicitly); NaN or duplicates are
    /// programmer errors.
    static func normalized(_ buckets: [Double]) -> [Double] {
        let bounds = buckets.filter { $0 != .infinity }.sorted()
        precondition(!bounds.contains { $0.isNaN }, "histogram buckets cannot contain NaN")
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "duplicate histogram bucket in \(buckets)")
        return bounds
    }
}

/// A histogram family: one `Histogram` per tuple of label values, all with the same buckets.
public final class HistogramFamily: RegisteredFamily {
    public let name: String
    public let help: String
    let type = MetricType.histogram
    /// The finite bucket bounds, ascending.
    public let upperBounds: [Double]
    private let table: ChildTable<Histogram>

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        let bounds = Histogram.normalized(buckets)
        upperBounds = bounds
        table = ChildTable(name: name, labelNames: labelNames) { Histogram(upperBounds: bounds) }
    }

    public var labelNames: [String] { table.labelNames }
    var shape: [Double] { upperBounds }

    /// The child for these label values; created on first use, the same object afterwards.
    public func labels(_ values: String...) -> Histogram {
        table.child(for: values)
    }

    /// The child for these label values.
    public func labels(_ values: [String]) -> Histogram {
        table.child(for: values)
    }

    func snapshot() -> MetricFamilySnapshot {
        var samples: [MetricSample] = []
        let bucketName = name + "_bucket"
        let bounds = upperBounds.map(PrometheusText.formatValue) + ["+Inf"]
        for (labels, child) in table.sorted() {
            let cumulative = child.cumulativeCounts
            for (bound, count) in zip(bounds, cumulative) {
                samples.append(MetricSample(name: bucketName, labels: labels + [("le", bound)], value: Double(count)))
            }
            samples.append(MetricSample(name: name + "_sum", labels: labels, value: child.sum))
            samples.append(MetricSample(name: name + "_count", labels: labels, value: Double(cumulative.last ?? 0)))
        }
        return MetricFamilySnapshot(name: name, help: help, type: type, samples: samples)
    }
}
