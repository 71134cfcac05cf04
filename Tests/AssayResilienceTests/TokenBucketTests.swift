import AssayCore
import Synchronization
import TestSupport
import Testing

@testable import AssayRedis
@testable import AssayResilience

/// The process clock shifted by `offset`, standing in for a pod whose clock is wrong.
private struct SkewedClock: MonotonicClock {
    let offset: Duration

    var now: ContinuousClock.Instant { .now + offset }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline - offset)
    }
}

private func bucket(
    _ server: RedisServer, provider: String = "openai", limit: RateLimit, replicas: Int = 1, connections: Int = 2,
    clock: any MonotonicClock = SystemClock(), onDegradedChange: @escaping @Sendable (Bool) -> Void = { _ in }
) throws -> (TokenBucket, RedisClient) {
    let client = RedisClient(server.clientConfiguration(connections: connections))
    let configuration = try TokenBucket.Configuration(
        provider: provider, limit: limit, replicas: replicas,
        probeBackoff: try Backoff(base: .milliseconds(20), cap: .milliseconds(100)))
    let logger = Logger(label: "ratelimit-test", sink: { _ in })
    return (
        TokenBucket(
            configuration: configuration, redis: client, clock: clock, logger: logger,
            onDegradedChange: onDegradedChange),
        client
    )
}

private func waitExceeded(_ body: () async throws -> Void) async -> Duration? {
    do {
        try await body()
    } catch ResilienceError.rateLimitWaitExceeded(_, let wait, _) {
        return wait
    } catch {
        Issue.record("unexpected error \(error)")
    }
    return nil
}

/// What the callers of the outage test share.
private final class OutageRun: Sendable {
    let stop = Atomic(false)
    let sources = Guarded<[TokenBucket.Grant.Source]>([])
}

@Suite("Token bucket in Redis", .serialized)
struct TokenBucketTests {
    @Test("the burst is admitted at once, then the next request must wait one interval")
    func burstThenWait() async throws {
        let server = try await RedisServer.start()
        // One request a second: the five burst calls finish well inside one interval even on a
        // loaded machine, so the sixth must wait.
        let (limiter, client) = try bucket(server, limit: try RateLimit(requestsPerSecond: 1, burst: 5))
        defer { client.close() }
        for _ in 0..<5 {
            let grant = try await limiter.acquire(maxWait: .zero)
            #expect(grant.waited == .zero && grant.source == .redis)
        }
        let wait = await waitExceeded { _ = try await limiter.acquire(maxWait: .zero) }
        #expect(wait.map { $0 > .milliseconds(500) && $0 <= .seconds(1) } == true)
    }

    @Test("over ~2 s, concurrent callers on several connections are admitted at no more than rate * t + burst")
    func pacing() async throws {
        let server = try await RedisServer.start()
        let rate = 100.0
        let burst = 20
        let (limiter, client) = try bucket(
            server, limit: try RateLimit(requestsPerSecond: rate, burst: burst), connections: 4)
        defer { client.close() }
        let start = ContinuousClock.now
        let end = start + .seconds(2)
        let admitted = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var count = 0
                    while true {
                        _ = try await limiter.acquire(maxWait: .seconds(5))
                        guard ContinuousClock.now <= end else { return count }
                        count += 1
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let expected = rate * 2 + Double(burst)
        print("token bucket pacing: \(admitted) admitted in 2 s, expected \(Int(expected))")
        // Never more than the limit allows (exact, plus one in flight at the boundary); at least 80% of it
        // even when the machine is loaded enough to starve the callers.
        #expect(Double(admitted) <= expected * 1.02 + 1)
        #expect(Double(admitted) >= expected * 0.8)
    }

    @Test("tokens per minute: the estimate is charged up front and settled with the actual usage")
    func estimateAndSettle() async throws {
        let server = try await RedisServer.start()
        // 10 ms per token, 1,000 tokens (10 s) of burst.
        let limit = try RateLimit(requestsPerSecond: 1000, tokensPerMinute: 6000, tokenBurst: 1000)
        let (limiter, client) = try bucket(server, limit: limit)
        defer { client.close() }
        let first = try await limiter.acquire(estimatedTokens: 1000, maxWait: .zero)
        let wait = await waitExceeded { _ = try await limiter.acquire(estimatedTokens: 100, maxWait: .zero) }
        #expect(wait.map { $0 > .milliseconds(500) && $0 <= .milliseconds(1000) } == true)
        // Used 200 of the 1,000 estimated: 800 come back, so 500 fit again at once.
        await limiter.settle(first, actualTokens: 200)
        let second = try await limiter.acquire(estimatedTokens: 500, maxWait: .zero)
        // Used 1,500 of the 500 estimated: 1,000 more are charged, 7 s past the burst.
        await limiter.settle(second, actualTokens: 1500)
        let after = await waitExceeded { _ = try await limiter.acquire(estimatedTokens: 1, maxWait: .zero) }
        #expect(after.map { $0 > .milliseconds(6000) && $0 <= .milliseconds(7010) } == true)
    }

    @Test("both keys share the provider's hash tag and expire")
    func hashTaggedKeys() async throws {
        let server = try await RedisServer.start()
        let limit = try RateLimit(requestsPerSecond: 5, tokensPerMinute: 600)
        let (limiter, client) = try bucket(server, provider: "azure-eu", limit: limit)
        defer { client.close() }
        _ = try await limiter.acquire(estimatedTokens: 10)
        let keys = try await client.send(["KEYS", "*"]).array?.compactMap(\.text).sorted()
        #expect(keys == ["{assay:ratelimit:azure-eu}:requests", "{assay:ratelimit:azure-eu}:tokens"])
        #expect(TokenBucket.keys(provider: "azure-eu") == (keys?[0], keys?[1]))
        for key in keys ?? [] {
            let ttl = try await client.send(["PTTL", key]).integer ?? -1
            #expect(ttl > 0 && ttl <= 2000)
        }
    }

    @Test("after SCRIPT FLUSH the script is loaded again and acquisitions go on")
    func noscriptReload() async throws {
        let server = try await RedisServer.start()
        let (limiter, client) = try bucket(server, limit: try RateLimit(requestsPerSecond: 100))
        defer { client.close() }
        _ = try await limiter.acquire()
        _ = try await client.send(["SCRIPT", "FLUSH"])
        let sha = TokenBucketScript.script.sha1
        #expect(try await client.send(["SCRIPT", "EXISTS", sha]) == .array([.integer(0)]))
        #expect(try await limiter.acquire().source == .redis)
        #expect(try await client.send(["SCRIPT", "EXISTS", sha]) == .array([.integer(1)]))
        #expect(!limiter.isDegraded)
    }

    @Test("two pods with clocks an hour apart share one limit, because time comes from Redis")
    func skewedClocksAgree() async throws {
        let server = try await RedisServer.start()
        let limit = try RateLimit(requestsPerSecond: 1, burst: 5)
        let (early, earlyClient) = try bucket(server, limit: limit, clock: SkewedClock(offset: .seconds(-3600)))
        let (late, lateClient) = try bucket(server, limit: limit, clock: SkewedClock(offset: .seconds(3600)))
        defer {
            earlyClient.close()
            lateClient.close()
        }
        var admitted = 0
        for index in 0..<10 {
            let limiter = index.isMultiple(of: 2) ? early : late
            if (try? await limiter.acquire(maxWait: .zero)) != nil { admitted += 1 }
        }
        #expect(admitted == 5)
        for limiter in [early, late] {
            let wait = await waitExceeded { _ = try await limiter.acquire(maxWait: .zero) }
            #expect(wait.map { $0 > .milliseconds(500) && $0 <= .seconds(1) } == true)
        }
    }

    @Test("Redis killed mid-run: no acquisition fails, the bucket degrades, and it returns to Redis on restart")
    func degradesAndRecovers() async throws {
        let server = try await RedisServer.start()
        let (changes, changed) = AsyncStream.makeStream(of: Bool.self)
        let (limiter, client) = try bucket(
            server, limit: try RateLimit(requestsPerSecond: 400, burst: 20), replicas: 2,
            onDegradedChange: { changed.yield($0) })
        defer { client.close() }
        var events = changes.makeAsyncIterator()
        #expect(try await limiter.acquire().source == .redis)
        let run = OutageRun()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while !run.stop.load(ordering: .relaxed) {
                        // Any throw here fails the test: acquisitions must survive the outage.
                        let grant = try await limiter.acquire(maxWait: .seconds(5))
                        run.sources.withLock { $0.append(grant.source) }
                    }
                }
            }
            server.kill()
            #expect(await events.next() == true)
            #expect(limiter.isDegraded)
            try await server.start()
            #expect(await events.next() == false)
            #expect(!limiter.isDegraded)
            run.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        let seen = run.sources.withLock { $0 }
        #expect(seen.contains(.local))
        #expect(seen.contains(.redis))
        #expect(try await limiter.acquire().source == .redis)
    }

    @Test("local fallback enforces the configured rate divided by the replica count")
    func localShare() {
        let share = try! RateLimit(requestsPerSecond: 100, burst: 30, tokensPerMinute: 90_000).divided(by: 3)
        #expect(share.requestsPerSecond == 100.0 / 3 && share.burst == 10)
        #expect(share.tokensPerMinute == 30_000 && share.tokenBurst == 30_000)
        let start = ContinuousClock.now
        var gcra = GCRA(interval: share.requestInterval, burst: share.burst)
        for _ in 0..<10 {
            #expect(gcra.wait(units: 1, now: start) == .zero)
            gcra.reserve(units: 1, at: start)
        }
        #expect(gcra.wait(units: 1, now: start) == share.requestInterval)
    }

    @Test("acquisitions per second from one process (printed, not asserted)")
    func throughput() async throws {
        let server = try await RedisServer.start()
        for (connections, callers) in [(1, 64), (4, 64), (4, 256)] {
            let (limiter, client) = try bucket(
                server, provider: "bench-\(connections)-\(callers)",
                limit: try RateLimit(requestsPerSecond: 10_000_000, burst: 1_000_000_000), connections: connections)
            let end = ContinuousClock.now + .milliseconds(1500)
            let count = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<callers {
                    group.addTask {
                        var count = 0
                        while ContinuousClock.now < end {
                            _ = try await limiter.acquire(maxWait: .zero)
                            count += 1
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            client.close()
            print(
                "token bucket throughput: \(Int(Double(count) / 1.5)) acquisitions/s (\(connections) connections, \(callers) callers)"
            )
        }
    }
}
