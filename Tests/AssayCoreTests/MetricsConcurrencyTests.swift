import AssayCore
import Testing

@Suite("Metrics under concurrent updates")
struct MetricsConcurrencyTests {
    private static let tasks = 8
    private static let iterations = 20_000

    @Test("many tasks incrementing counters, gauges and histograms lose no update")
    func exactTotals() async {
        let registry = MetricsRegistry()
        let counters = registry.counter("c_total", help: "C.", labels: ["k"])
        let gauge = registry.gauge("g", help: "G.").labels()
        let histogram = registry.histogram("h_seconds", help: "H.", buckets: [1]).labels()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<Self.tasks {
                group.addTask {
                    // Half the tasks look the child up every time, half hold it: both paths must be exact.
                    let held = counters.labels("shared")
                    for _ in 0..<Self.iterations {
                        if task.isMultiple(of: 2) { held.inc() } else { counters.labels("shared").inc() }
                        counters.labels("fraction").inc(by: 0.5)
                        gauge.inc(by: 2)
                        gauge.dec()
                        histogram.observe(task.isMultiple(of: 2) ? 0.5 : 2)
                    }
                }
            }
        }
        let total = Double(Self.tasks * Self.iterations)
        #expect(counters.labels("shared").value == total)
        #expect(counters.labels("fraction").value == total / 2)
        #expect(gauge.value == total)
        #expect(histogram.cumulativeCounts == [UInt64(total / 2), UInt64(total)])
        #expect(histogram.sum == total / 2 * 0.5 + total / 2 * 2)
    }
}
