import AssayCore
import Testing

@testable import AssayHTTP

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

    @Test("HTTPMetrics counts requests and in-flight ones exactly under concurrent requests")
    func httpMetrics() async {
        let registry = MetricsRegistry()
        let metrics = HTTPMetrics(registry: registry)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<Self.tasks {
                group.addTask {
                    for _ in 0..<Self.iterations / 10 {
                        metrics.requestStarted()
                        metrics.requestFinished(
                            method: "POST", route: "/v1/evaluate", status: task.isMultiple(of: 4) ? 400 : 200,
                            durationSeconds: 0.0007, bodyBytes: 1000)
                    }
                }
            }
        }
        let perTask = Double(Self.iterations / 10)
        #expect(metrics.requests.labels("/v1/evaluate", "POST", "200").value == perTask * 6)
        #expect(metrics.requests.labels("/v1/evaluate", "POST", "400").value == perTask * 2)
        #expect(metrics.inflight.value == 0)
        let duration = metrics.requestDuration.labels("/v1/evaluate", "POST")
        // 0.7 ms lands in the 1 ms bucket (index 1), not the 0.5 ms one.
        #expect(duration.cumulativeCounts[0] == 0)
        #expect(duration.cumulativeCounts[1] == UInt64(perTask * 8))
        // 1,000 bytes lands in the 1 KiB bucket (index 1).
        #expect(
            metrics.requestBodyBytes.labels("/v1/evaluate", "POST").cumulativeCounts[0...1] == [0, UInt64(perTask * 8)])
    }
}
