/// The metric families of one process and the collectors consulted at scrape time, rendered in the
/// Prometheus text format. Registration takes a lock; updating a child held by the caller does not.
public final class MetricsRegistry: Sendable {
    private struct State {
        var families: [String: any RegisteredFamily] = [:]
        var collectors: [any MetricsCollector] = []
    }

    private let state = Guarded(State())

    public init() {}

    /// Registers a counter family, or returns the one already registered under `name` (which must
    /// have the same type and labels).
    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        register(name, labels: labels, shape: []) {
            CounterFamily(name: name, help: help, labelNames: labels)
        }
    }

    /// Registers a gauge family, or returns the one already registered under `name`.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        register(name, labels: labels, shape: []) {
            GaugeFamily(name: name, help: help, labelNames: labels)
        }
    }

    /// Registers a histogram family, or returns the one already registered under `name` (same
    /// labels and buckets). `le` is reserved for the bucket bound and cannot be a label.
    public func histogram(
        _ name: String, help: String, labels: [String] = [], buckets: [Double] = Histogram.defaultBuckets
    ) -> HistogramFamily {
        register(name, labels: labels, shape: Histogram.normalized(buckets), reserved: ["le"]) {
            HistogramFamily(name: name, help: help, labelNames: labels, buckets: buckets)
        }
    }

    /// Adds a collector, called at every scrape outside the registry's lock. A collected family
    /// named like a registered one is dropped; between collectors, the one added first wins.
    public func addCollector(_ collector: some MetricsCollector) {
        state.withLock { $0.collectors.append(collector) }
    }

    /// Adds a collector made from a closure.
    public func addCollector(_ collect: @escaping @Sendable () -> [MetricFamilySnapshot]) {
        addCollector(ClosureCollector(collect))
    }

    /// Every family, registered and collected, sorted by name.
    public func snapshot() -> [MetricFamilySnapshot] {
        let (families, collectors) = state.withLock { ($0.families, $0.collectors) }
        var byName: [String: MetricFamilySnapshot] = [:]
        for collector in collectors {
            for family in collector.collect() where byName[family.name] == nil && families[family.name] == nil {
                byName[family.name] = family
            }
        }
        for (name, family) in families {
            byName[name] = family.snapshot()
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The text exposition (format 0.0.4) of every family, sorted by name; serve it with
    /// `PrometheusText.contentType`.
    public func render() -> [UInt8] {
        PrometheusText.render(snapshot())
    }

    private func register<Family: RegisteredFamily>(
        _ name: String, labels: [String], shape: [Double], reserved: Set<String> = [],
        make: () -> Family
    ) -> Family {
        MetricNames.check(name: name, labels: labels, reserved: reserved)
        return state.withLock { state in
            if let existing = state.families[name] {
                guard let same = existing as? Family, existing.labelNames == labels, existing.shape == shape else {
                    preconditionFailure(
                        "metric \(name) is already registered as \(existing.type) with labels \(existing.labelNames)"
                    )
                }
                return same
            }
            let family = make()
            state.families[name] = family
            return family
        }
    }
}
