/// Produces metric families at scrape time: process statistics, or gauges read from some other
/// state when Prometheus asks rather than kept up to date on every change.
public protocol MetricsCollector: Sendable {
    func collect() -> [MetricFamilySnapshot]
}

/// A collector made from a closure.
public struct ClosureCollector: MetricsCollector {
    private let body: @Sendable () -> [MetricFamilySnapshot]

    public init(_ body: @escaping @Sendable () -> [MetricFamilySnapshot]) {
        self.body = body
    }

    public func collect() -> [MetricFamilySnapshot] {
        body()
    }
}
