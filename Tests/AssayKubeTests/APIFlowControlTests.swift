import AssayCore
import TestSupport
import Testing

@testable import AssayHTTP
@testable import AssayKube

@Suite("API server flow control")
struct APIFlowControlTests {
    static let plain = "Too many requests, please try again later.\n"
    static let status429 =
        #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"busy","reason":"TooManyRequests","details":{"retryAfterSeconds":2},"code":429}"#
    static let status503 =
        #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"down","reason":"ServiceUnavailable","details":{"retryAfterSeconds":4},"code":503}"#
    static let status500 = #"{"kind":"Status","status":"Failure","message":"boom","reason":"InternalError","code":500}"#

    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var retryAfter: String?
        var body: String
        var wait: Duration?
        var testDescription: String {
            "\(status) Retry-After \(retryAfter ?? "-") → \(wait.map { "\($0)" } ?? "no retry")"
        }
    }

    @Test(
        "a 429 is always retried after the header's wait, else the Status's, else 1 s; a 5xx only when it names a wait",
        arguments: [
            Case(status: 429, retryAfter: "1", body: plain, wait: .seconds(1)),
            Case(status: 429, retryAfter: "3", body: status429, wait: .seconds(3)),
            Case(status: 429, retryAfter: nil, body: status429, wait: .seconds(2)),
            Case(status: 429, retryAfter: nil, body: plain, wait: .seconds(1)),
            Case(status: 429, retryAfter: "soon", body: plain, wait: .seconds(1)),
            Case(status: 429, retryAfter: "3600", body: plain, wait: APIFlowControl.maxWait),
            Case(status: 503, retryAfter: "2", body: "", wait: .seconds(2)),
            Case(status: 503, retryAfter: nil, body: status503, wait: .seconds(4)),
            Case(status: 503, retryAfter: nil, body: "", wait: nil),
            Case(status: 500, retryAfter: nil, body: status500, wait: nil),
            Case(status: 409, retryAfter: "1", body: "", wait: nil),
            Case(status: 404, retryAfter: nil, body: "", wait: nil),
        ])
    func retryDelay(_ example: Case) {
        let headers = example.retryAfter.map { [(name: "Retry-After", value: $0)] } ?? []
        let error = KubeStatusError(httpStatus: example.status, body: Array(example.body.utf8))
        #expect(APIFlowControl.retryDelay(status: example.status, headers: headers, error: error) == example.wait)
    }

    static func client(
        clock: ManualClock, refusals: Int, status: Int = 429
    ) -> (KubeClient, FakeKubeTransport) {
        let served = Guarded(0)
        let answer: FakeKubeTransport.Handler = { _ in
            let n = served.withLock { count -> Int in
                count += 1
                return count
            }
            return n <= refusals ? (status, plain) : (200, KubeClientTests.configMap)
        }
        let transport = FakeKubeTransport(headers: { $0 == 200 ? [] : [("Retry-After", "1")] }, answer)
        let client = KubeClient(
            connection: KubeClientTests.connection, transport: transport,
            rateLimiter: ClientRateLimiter(qps: 0, burst: 1, clock: clock, random: { 0 }))
        return (client, transport)
    }

    @Test("a request refused with 429 waits the Retry-After on the client's clock and is sent again")
    func retriesAfterWaiting() async throws {
        let clock = ManualClock(sleeping: .advancesTime)
        let (client, transport) = Self.client(clock: clock, refusals: 2)
        let object = try await client.get(.configMap, name: "c")
        #expect(object.resourceVersion == "7")
        #expect(transport.requests.count == 3)
        #expect(clock.sleeps == [.seconds(1), .seconds(1)])
    }

    @Test("a 503 with Retry-After is retried too")
    func retries503() async throws {
        let clock = ManualClock(sleeping: .advancesTime)
        let (client, transport) = Self.client(clock: clock, refusals: 1, status: 503)
        _ = try await client.get(.configMap, name: "c")
        #expect(transport.requests.count == 2)
        #expect(clock.sleeps == [.seconds(1)])
    }

    @Test("after ten retries the 429 reaches the caller as TooManyRequests")
    func boundedRetries() async throws {
        let clock = ManualClock(sleeping: .advancesTime)
        let (client, transport) = Self.client(clock: clock, refusals: 100)
        await #expect {
            _ = try await client.get(.configMap, name: "c")
        } throws: { error in
            (error as? KubeError)?.status?.code == 429 && (error as? KubeError)?.status?.reason == .tooManyRequests
        }
        #expect(transport.requests.count == APIFlowControl.maxRetries + 1)
        #expect(clock.sleeps.count == APIFlowControl.maxRetries)
    }

    @Test("a refused request waits the time named plus up to half of it; other requests are not held")
    func jitteredWaitForThatRequestOnly() async throws {
        let clock = ManualClock(sleeping: .advancesTime)
        let draws = Guarded([0.0, 0.5, 0.99])
        let limiter = ClientRateLimiter(
            qps: 0, burst: 1, clock: clock, random: { draws.withLock { $0.isEmpty ? 0 : $0.removeFirst() } })
        for _ in 0..<3 { try await limiter.wait(retryAfter: .seconds(2)) }
        try await limiter.acquire()
        #expect(clock.sleeps == [.seconds(2), .milliseconds(2500), .milliseconds(2990)])
    }
}
