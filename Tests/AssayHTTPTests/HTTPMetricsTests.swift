import AssayCore
import Testing

@testable import AssayHTTP

@Suite("HTTP server metrics")
struct HTTPMetricsTests {
    private static let tasks = 8
    private static let iterations = 20_000

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

    @Test("request body sizes are bucketed from 256 B to 16 MiB by powers of 4")
    func bodyBytesBuckets() {
        let mebibyte: Double = 1024 * 1024
        let expected: [Double] = [256, 1024, 4096, 16384, 65536, 262_144, mebibyte, 4 * mebibyte, 16 * mebibyte]
        #expect(HTTPMetrics.bodyBytesBuckets == expected)
    }
}
