import Foundation
import Glibc
import Synchronization
import TestSupport
import Testing

@testable import AssayCore
@testable import AssayHTTP

/// Counts what the server reports about requests it answered itself and connections it refused.
private final class LimitsObserver: HTTPServerObserver {
    let statuses = Guarded<[Int]>([])
    let rejected = Atomic<Int>(0)
    func requestStarted() {}
    func requestFinished(method: String, route: String, status: Int, durationSeconds: Double, bodyBytes: Int) {
        statuses.withLock { $0.append(status) }
    }
    func connectionRejected() { rejected.add(1, ordering: .relaxed) }
}

/// What a handler that computes until stopped saw: why its budget ran out.
private final class SpinRecord: Sendable {
    let started = Gate()
    let stopped = Guarded<WorkBudget.Exhaustion?>(nil)
    let finished = Gate()
}

/// A router whose `/spin` computes (checking its request's cancellation through a budget, as
/// scoring does) until stopped, and `/hello` answers at once.
private func spinningRouter(_ record: SpinRecord) -> Router {
    var router = Router()
    router.add("GET", "/hello") { _, _ in .text("hello") }
    router.add("GET", "/spin") { request, _ in
        record.started.open()
        let cancellation = request.cancellation
        // Off the loop, as the evaluator's executor does: the loop stays free to notice the client.
        let spins = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var budget = WorkBudget(steps: Int.max / 2, cancellation: cancellation)
                var spins = 0
                while budget.spend() { spins &+= 1 }
                record.stopped.withLock { $0 = budget.exhaustion }
                continuation.resume(returning: spins)
            }
        }
        record.finished.open()
        return .text("spun \(spins)")
    }
    return router
}

private func limitsConfiguration() -> HTTPServerConfiguration {
    HTTPServerConfiguration(
        port: 0, eventLoopCount: 1, headerTimeout: .seconds(5), bodyTimeout: .milliseconds(300),
        idleTimeout: .seconds(5), bodyMinimumRate: 1000, requestTimeout: .seconds(30), maxConnections: 3)
}

@Suite("HTTP server limits: connections, deadlines, cancellation", .serialized)
struct HTTPServerLimitsTests {
    @Test("beyond the connection cap a new connection is closed at once, and a freed slot serves again")
    func connectionCap() async throws {
        let observer = LimitsObserver()
        try await withServer(limitsConfiguration(), router: spinningRouter(SpinRecord()), observer: observer) {
            _, port in
            let held = try (0..<3).map { _ in try RawHTTPClient(port: port) }
            held[0].send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(try held[0].readResponse().status == 200)
            #expect(held[0].waitForClose())
            held[0].close()
            let start = ContinuousClock.now
            // Once the server has seen that close, its slot serves a new client.
            try await eventually("a new client to be served in the freed slot", within: .seconds(2)) {
                let replacement = try RawHTTPClient(port: port)
                defer { replacement.close() }
                replacement.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                guard (try? replacement.readResponse().status) == 200 else { return false }
                return replacement.waitForClose()
            }
            // Three silent connections hold every slot (none is an idle keep-alive one to make room).
            let filler = try RawHTTPClient(port: port)
            let refused = try RawHTTPClient(port: port)
            #expect(refused.waitForClose(), "a fourth connection is closed")
            // Far inside the 5 s header timeout that would otherwise end a silent connection.
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(observer.rejected.load(ordering: .relaxed) >= 1)
            for client in held { client.close() }
            filler.close()
        }
    }

    @Test("at the cap an idle keep-alive connection makes room for a new client")
    func idleConnectionEvicted() async throws {
        var configuration = limitsConfiguration()
        configuration.maxConnections = 2
        try await withServer(configuration, router: spinningRouter(SpinRecord())) { _, port in
            let idle = try RawHTTPClient(port: port)
            idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try idle.readResponse().status == 200)
            let silent = try RawHTTPClient(port: port)
            let newcomer = try RawHTTPClient(port: port)
            newcomer.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try newcomer.readResponse().status == 200)
            #expect(idle.waitForClose(), "the idle keep-alive connection gave its slot")
            silent.close()
        }
    }

    @Test("at the cap a connection still without a complete head after a second makes room for a new client")
    func silentConnectionEvicted() async throws {
        var configuration = limitsConfiguration()
        configuration.maxConnections = 1
        try await withServer(configuration, router: spinningRouter(SpinRecord())) { _, port in
            let silent = try RawHTTPClient(port: port)
            silent.send("GET /hello HTTP/1.1\r\n")
            let young = try RawHTTPClient(port: port)
            #expect(young.waitForClose(), "a head under a second old keeps its slot")
            // The eviction age is a second of the clock: nothing to wait on but time.
            try await Task.sleep(for: .milliseconds(1100))
            let newcomer = try RawHTTPClient(port: port)
            newcomer.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try newcomer.readResponse().status == 200)
            #expect(silent.waitForClose(), "the slow head gave its slot")
        }
    }

    @Test("a body keeps its deadline only at the minimum rate: trickled bytes buy no time, fast ones do")
    func bodyDeadlineByRate() async throws {
        var router = Router()
        router.add("POST", "/echo") { request, _ in HTTPResponse(status: 200, body: request.body) }
        try await withServer(limitsConfiguration(), router: router) { _, port in
            // 100 bytes every 50 ms (2,000 B/s, twice the minimum rate) for over a second: three times
            // the 300 ms base deadline, earned by the bytes.
            let fast = try RawHTTPClient(port: port)
            fast.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2200\r\n\r\n")
            for _ in 0..<22 {
                fast.send(String(repeating: "a", count: 100))
                try await Task.sleep(for: .milliseconds(50))
            }
            let answer = try fast.readResponse()
            #expect(answer.status == 200)
            #expect(answer.body.count == 2200)

            // One byte every 20 ms (50 B/s): the deadline moves 50 ms per second, so it ends soon after 300 ms.
            let slow = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            slow.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
            var answered = false
            for _ in 0..<200 where !answered {
                slow.send("b")
                answered = slow.waitReadable(milliseconds: 20)
            }
            #expect(try slow.readResponse().status == 408)
            #expect(ContinuousClock.now - start < .milliseconds(1500))
        }
    }

    @Test("a client that leaves mid-request has its work cancelled, and the request counts as 499")
    func clientGoneCancels() async throws {
        let record = SpinRecord()
        let observer = LimitsObserver()
        try await withServer(limitsConfiguration(), router: spinningRouter(record), observer: observer) {
            _, port in
            let client = try RawHTTPClient(port: port)
            client.send("GET /spin HTTP/1.1\r\nHost: t\r\n\r\n")
            await record.started.wait()
            client.close()
            try await withDeadline(.seconds(2), "the handler to stop") { await record.finished.wait() }
            #expect(record.stopped.withLock { $0 } == .cancelled(.clientGone))
            try await eventually("the request counted as 499") { observer.statuses.withLock { $0.contains(499) } }
        }
    }

    @Test("a handler still working at the request deadline is cancelled and the client gets 504")
    func deadlineCancels() async throws {
        let record = SpinRecord()
        var configuration = limitsConfiguration()
        configuration.requestTimeout = .milliseconds(300)
        try await withServer(configuration, router: spinningRouter(record)) { _, port in
            let client = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            client.send("GET /spin HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 504)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.text.contains("requestTimeout"))
            #expect(ContinuousClock.now - start < .seconds(2))
            try await withDeadline(.seconds(2), "the handler to stop") { await record.finished.wait() }
            #expect(record.stopped.withLock { $0 } == .cancelled(.deadline))
        }
    }

    @Test("when the shutdown grace period ends, work in flight is cancelled and answered 503")
    func shutdownCancels() async throws {
        let record = SpinRecord()
        let server = HTTPServer(configuration: limitsConfiguration(), responder: spinningRouter(record))
        let port = try server.start()
        let client = try RawHTTPClient(port: port)
        client.send("GET /spin HTTP/1.1\r\nHost: t\r\n\r\n")
        await record.started.wait()
        let start = ContinuousClock.now
        await server.shutdown(gracePeriod: .milliseconds(200))
        #expect(ContinuousClock.now - start < .seconds(2))
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.text.contains("shut down"))
        try await withDeadline(.seconds(2), "the handler to stop") { await record.finished.wait() }
        #expect(record.stopped.withLock { $0 } == .cancelled(.shutdown))
    }
}
