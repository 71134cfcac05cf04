import AssayCore
import AssayHTTP
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Evaluator
@testable import Scoring

/// Rate limits and provider 429s with a real redis-server: Retry-After honoured, Redis outages
/// survived, and one limit shared accurately by several evaluator processes.
@Suite("Gateway rate limits", .serialized)
struct GatewayRateLimitTests {
    @Test(
        "429 storms honour Retry-After; Redis killed mid-run and restarted: no request fails, the degraded metric goes 1 then 0"
    )
    func retryAfterAndRedisOutage() async throws {
        let redis = try await RedisServer.start()
        let primary = try await ProviderEmulatorProcess.start()
        let secondary = try await ProviderEmulatorProcess.start()
        try await primary.behave(#"{"rateLimitRate": 1, "retryAfterSeconds": 1}"#)
        let app = try GatewayApp(redisURL: redis.urlString)
        defer { Task { await app.stop() } }
        let limit = #", "rateLimit": {"requestsPerSecond": 1000, "burst": 100}"#
        let body = #"""
            {"target": {"providers": [\#(primary.provider("primary", extra: limit)), \#(secondary.provider("secondary", extra: limit))],
             "prompt": "{{input}}"}, "input": "ping", "criteria": [{"type": "contains", "value": "ping"}]}
            """#

        let progress = Progress()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while progress.running.load(ordering: .relaxed) {
                        let (status, answer) = try await app.post("/v1/evaluate", body)
                        if status != 200 || answer["generation"]?["provider"] != "secondary" {
                            progress.failures.withLock { $0.append("\(status) \(answer)") }
                        }
                        progress.answered.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
            }
            group.addTask {
                defer { progress.running.store(false, ordering: .relaxed) }
                try await eventually("traffic flows through Redis") { progress.answered.load(ordering: .relaxed) >= 40 }
                #expect(app.metricsText.contains("assay_ratelimit_degraded 0"))
                redis.kill()
                try await eventually("the degraded metric turns 1") {
                    app.metricsText.contains("assay_ratelimit_degraded 1")
                }
                let before = progress.answered.load(ordering: .relaxed)
                try await eventually("requests keep being answered without Redis") {
                    progress.answered.load(ordering: .relaxed) >= before + 40
                }
                try await redis.start()
                try await eventually("the degraded metric returns to 0", within: .seconds(20)) {
                    app.metricsText.contains("assay_ratelimit_degraded 0")
                }
                // Several Retry-After windows, so that honouring them shows in the primary's count.
                try await Task.sleep(until: started + .seconds(4), clock: .continuous)
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - started).inSeconds
        let failed = progress.failures.withLock { $0 }
        #expect(failed.isEmpty, "\(failed.prefix(3))")
        // Each Retry-After of 1 s keeps every request off the primary for a second; only requests
        // already in flight when it answered 429 (one per worker) reach it in the same second.
        let limited = try #require(try await primary.stats(route: "openai")["rateLimited"]?.doubleValue)
        let total = progress.answered.load(ordering: .relaxed)
        #expect(limited >= 1)
        #expect(limited <= (elapsed + 1) * 4, "\(limited) 429s in \(elapsed) s for \(total) requests")
        #expect(Int(limited) * 5 < total, "\(limited) 429s for \(total) requests")
        #expect(app.metricsText.contains(#"assay_fallbacks_total{from="primary",to="secondary",reason="retry_after"}"#))
    }

    @Test(
        "Rate accuracy: four processes share one bucket of 50 requests/s for 10 s; the total admitted is within 2% of 500 plus the burst"
    )
    func fourProcessesShareOneBucket() async throws {
        let redis = try await RedisServer.start()
        let emulator = try await ProviderEmulatorProcess.start()
        let burst = 10
        let provider = emulator.provider(
            "shared", extra: #", "maxRetries": 0, "rateLimit": {"requestsPerSecond": 50, "burst": \#(burst)}"#)
        let directory = try TemporaryDirectory(prefix: "assay-rate")
        defer { directory.remove() }
        let providersFile = try directory.write("providers.json", #"{"providers": [\#(provider)]}"#)
        var evaluators: [(ChildProcess, Int)] = []
        for _ in 0..<4 {
            let process = try ChildProcess(
                built: BuiltExecutable.evaluator,
                arguments: [
                    "serve", "--port", "0", "--event-loops", "1", "--redis", redis.urlString, "--replicas", "4",
                    "--ratelimit-max-wait-seconds", "0", "--providers-file", providersFile,
                ])
            let line = try await process.waitForLine("the evaluator's address") { $0.contains("\"address\"") }
            let port = try #require(Self.port(inLogLine: line))
            evaluators.append((process, port))
        }
        defer { for (process, _) in evaluators { process.signal(SIGKILL) } }
        let body = Array(
            #"{"target": {"providers": ["shared"], "prompt": "hi"}, "criteria": [{"type": "contains", "value": "hi"}]}"#
                .utf8)
        let http = try CurlHTTPClient()
        let deadline = ContinuousClock.now + .seconds(10)
        let counts = try await withThrowingTaskGroup(of: (ok: Int, limited: Int).self) { group in
            for (_, port) in evaluators {
                group.addTask {
                    var ok = 0
                    var limited = 0
                    // About 100 offered requests per second per process: 8x the limit in all.
                    var next = ContinuousClock.now
                    while ContinuousClock.now < deadline {
                        let response = try await http.send(
                            ClientRequest(
                                method: "POST", url: "http://127.0.0.1:\(port)/v1/evaluate",
                                headers: [("Content-Type", "application/json")], body: body))
                        if response.status == 200 { ok += 1 } else if response.status == 502 { limited += 1 }
                        next += .milliseconds(10)
                        try await Task.sleep(until: max(next, ContinuousClock.now), clock: .continuous)
                    }
                    return (ok, limited)
                }
            }
            return try await group.reduce(into: (ok: 0, limited: 0)) {
                $0.ok += $1.ok
                $0.limited += $1.limited
            }
        }
        let expected = Double(500 + burst)
        print("rate accuracy: admitted \(counts.ok) of \(counts.ok + counts.limited) (expected \(expected) ± 2%)")
        let upstream = try #require(try await emulator.stats(route: "openai")["ok"]?.doubleValue)
        #expect(Double(counts.ok) == upstream)
        #expect(abs(upstream - expected) <= expected * 0.02, "admitted \(upstream), expected \(expected) ± 2%")
        #expect(counts.limited > counts.ok, "the limit was contended: \(counts.limited) turned away")
    }

    @Test("at start the evaluator logs whether rate limits are shared through Redis or kept per process")
    func logsWhereRateLimitsLive() async throws {
        let alone = try ChildProcess(built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0"])
        defer { alone.signal(SIGKILL) }
        _ = try await alone.waitForLine("the per-process notice") {
            $0.contains("provider rate limits are per process") && $0.contains("ASSAY_REDIS_URL")
        }
        let shared = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0"],
            environment: ["ASSAY_REDIS_URL": "redis://:hunter2@127.0.0.1:6390", "ASSAY_REPLICAS": "3"])
        defer { shared.signal(SIGKILL) }
        let line = try await shared.waitForLine("the shared notice") { $0.contains("shared through Redis") }
        #expect(line.contains(#""replicas":"3""#))
        #expect(!line.contains("hunter2"))
        let refused = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0", "--replicas", "0"])
        #expect(try await refused.waitForExit() == .exited(2))
        #expect(refused.output.joined().contains("replicas"))
    }

    /// What the traffic loops share with the test.
    final class Progress: Sendable {
        let failures = Guarded<[String]>([])
        let answered = Atomic<Int>(0)
        let running = Atomic<Bool>(true)
    }

    /// The port in a `"address":"127.0.0.1:PORT"` log field.
    static func port(inLogLine line: String) -> Int? {
        guard let range = line.range(of: #""address":""#) else { return nil }
        let rest = line[range.upperBound...].prefix { $0 != "\"" }
        return rest.split(separator: ":").last.flatMap { Int(String($0)) }
    }
}
