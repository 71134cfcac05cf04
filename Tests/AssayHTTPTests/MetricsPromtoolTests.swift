import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayHTTP

@Suite("Metrics exposition checked by promtool")
struct MetricsPromtoolTests {
    /// promtool ships in Debian's `prometheus` package, which bin/setup installs.
    private static let promtool = "/usr/bin/promtool"

    /// A registry with every kind of family, the evaluator's HTTP families, and process metrics.
    private func populatedRegistry() -> MetricsRegistry {
        let registry = MetricsRegistry()
        let http = HTTPMetrics(registry: registry)
        http.requestStarted()
        http.requestFinished(
            method: "POST", route: "/v1/evaluate", status: 200, durationSeconds: 0.0004, bodyBytes: 1 << 20)
        http.requestStarted()
        http.requestFinished(method: "GET", route: "/healthz", status: 200, durationSeconds: 0.00002, bodyBytes: 0)
        http.requestStarted()
        let evaluations = registry.counter(
            "assay_evaluations_total", help: "Criteria evaluated, by criterion type and outcome.",
            labels: ["type", "outcome"])
        evaluations.labels("regex", "passed").inc()
        evaluations.labels("jsonSchema", "failed").inc(by: 2)
        registry.gauge("assay_test_queue_depth", help: "Escapes: back\\slash and\nnewline.", labels: ["queue"])
            .labels("a \"quoted\"\nname\\").set(-.infinity)
        registry.addCollector(ProcessMetrics())
        registry.addCollector {
            [
                MetricFamilySnapshot(
                    name: "assay_test_collected_items", help: "Items counted at scrape time.", type: .gauge,
                    samples: [MetricSample(name: "assay_test_collected_items", value: .nan)])
            ]
        }
        return registry
    }

    @Test("promtool check metrics accepts the exposition of every kind of metric without a lint problem")
    func promtoolAcceptsExposition() throws {
        let exposition = populatedRegistry().render()
        let text = String(decoding: exposition, as: UTF8.self)
        for name in [
            "assay_http_requests_total", "assay_http_request_duration_seconds_bucket", "assay_http_inflight_requests",
            "assay_http_request_body_bytes_bucket", "assay_evaluations_total", "process_cpu_seconds_total",
            "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
            "process_start_time_seconds",
        ] {
            #expect(text.contains("\n\(name)"), "missing \(name)")
        }

        let result = try Command.run(Self.promtool, ["check", "metrics"], input: text)
        let report = result.combined
        #expect(result.status == 0, "promtool exited \(result.status): \(report)")
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool reported: \(report)")
    }
}
