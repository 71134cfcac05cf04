import AssayCore
import Testing

@Suite("Metrics text exposition")
struct MetricsExpositionTests {
    private func text(_ registry: MetricsRegistry) -> String {
        String(decoding: registry.render(), as: UTF8.self)
    }

    @Test("a counter renders HELP, TYPE and one line per label set, with label values and HELP escaped")
    func counterWithEscaping() {
        let registry = MetricsRegistry()
        let family = registry.counter(
            "test_requests_total", help: "Requests, by path\\code\nsecond line \"quoted\"", labels: ["path", "code"])
        family.labels("/a\\b", "200").inc()
        family.labels("say \"hi\"\nbye", "500").inc(by: 2.5)
        family.labels("/a\\b", "200").inc(by: 2)
        #expect(
            text(registry) == """
                # HELP test_requests_total Requests, by path\\\\code\\nsecond line "quoted"
                # TYPE test_requests_total counter
                test_requests_total{path="/a\\\\b",code="200"} 3
                test_requests_total{path="say \\"hi\\"\\nbye",code="500"} 2.5

                """)
    }

    @Test("a gauge without labels is exposed at zero from registration and follows set, inc and dec")
    func gauge() {
        let registry = MetricsRegistry()
        let family = registry.gauge("test_inflight", help: "In flight.")
        #expect(text(registry) == "# HELP test_inflight In flight.\n# TYPE test_inflight gauge\ntest_inflight 0\n")
        let gauge = family.labels()
        gauge.set(10)
        gauge.inc()
        gauge.dec(by: 3.5)
        #expect(gauge.value == 7.5)
        #expect(text(registry).hasSuffix("test_inflight 7.5\n"))
    }

    @Test("special values render as +Inf, -Inf and NaN")
    func specialValues() {
        let registry = MetricsRegistry()
        let family = registry.gauge("test_values", help: "Values.", labels: ["kind"])
        family.labels("pos").set(.infinity)
        family.labels("neg").set(-.infinity)
        family.labels("nan").set(.nan)
        #expect(
            text(registry) == """
                # HELP test_values Values.
                # TYPE test_values gauge
                test_values{kind="nan"} NaN
                test_values{kind="neg"} -Inf
                test_values{kind="pos"} +Inf

                """)
    }

    @Test("values format as whole numbers, shortest round-trip decimals, or exponents")
    func valueFormatting() {
        #expect(PrometheusText.formatValue(0) == "0")
        #expect(PrometheusText.formatValue(-3) == "-3")
        #expect(PrometheusText.formatValue(16_777_216) == "16777216")
        #expect(PrometheusText.formatValue(0.005) == "0.005")
        #expect(PrometheusText.formatValue(1e-7) == "1e-07")
        #expect(PrometheusText.formatValue(1.5e300) == "1.5e+300")
        #expect(PrometheusText.formatValue(0.1 + 0.2) == "0.30000000000000004")
    }

    @Test("a histogram renders cumulative buckets with le bounds, +Inf, _sum and _count; a bound is inclusive")
    func histogram() {
        let registry = MetricsRegistry()
        let family = registry.histogram(
            "test_duration_seconds", help: "Durations.", labels: ["route"], buckets: [1, 0.5, 10])
        let child = family.labels("/v1")
        for value in [0.25, 0.5, 0.75, 8, 64] {
            child.observe(value)
        }
        #expect(
            text(registry) == """
                # HELP test_duration_seconds Durations.
                # TYPE test_duration_seconds histogram
                test_duration_seconds_bucket{route="/v1",le="0.5"} 2
                test_duration_seconds_bucket{route="/v1",le="1"} 3
                test_duration_seconds_bucket{route="/v1",le="10"} 4
                test_duration_seconds_bucket{route="/v1",le="+Inf"} 5
                test_duration_seconds_sum{route="/v1"} 73.5
                test_duration_seconds_count{route="/v1"} 5

                """)
    }

    @Test("families render sorted by name, and a label set's child is created once and reused")
    func orderingAndReuse() {
        let registry = MetricsRegistry()
        let zeta = registry.counter("zeta_total", help: "Z.", labels: ["k"])
        _ = registry.gauge("alpha", help: "A.")
        #expect(zeta.labels("x") === zeta.labels("x"))
        #expect(zeta.labels("x") !== zeta.labels("y"))
        #expect(registry.counter("zeta_total", help: "Z.", labels: ["k"]) === zeta)
        let names = registry.snapshot().map(\.name)
        #expect(names == ["alpha", "zeta_total"])
    }

    @Test("collected families are rendered in name order; one named like a registered family is dropped")
    func collectors() {
        let registry = MetricsRegistry()
        registry.counter("b_total", help: "Registered.").labels().inc()
        registry.addCollector {
            [
                MetricFamilySnapshot(
                    name: "c_items", help: "Collected.", type: .gauge,
                    samples: [MetricSample(name: "c_items", labels: [("queue", "q1")], value: 4)]),
                MetricFamilySnapshot(
                    name: "b_total", help: "Shadowed.", type: .counter,
                    samples: [MetricSample(name: "b_total", value: 99)]
                ),
            ]
        }
        #expect(
            text(registry) == """
                # HELP b_total Registered.
                # TYPE b_total counter
                b_total 1
                # HELP c_items Collected.
                # TYPE c_items gauge
                c_items{queue="q1"} 4

                """)
    }

    @Test("registering a name again with another type is a programmer error that stops the process")
    func conflictingRegistration() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.counter("dup_total", help: "One.")
            _ = registry.gauge("dup_total", help: "Two.")
        }
    }

    @Test("a histogram cannot take le as a label name")
    func reservedLabel() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().histogram("h_seconds", help: "H.", labels: ["le"])
        }
    }

    @Test("exponential buckets multiply by the factor")
    func exponentialBuckets() {
        #expect(Histogram.exponentialBuckets(start: 256, factor: 4, count: 4) == [256, 1024, 4096, 16384])
    }
}
