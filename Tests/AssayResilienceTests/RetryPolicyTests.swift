import Foundation
import Testing

@testable import AssayResilience

private struct Row: Sendable, CustomTestStringConvertible {
    let name: String
    var attempt = 1
    let outcome: RetryOutcome
    var deadline = Duration.seconds(60)
    var random = 0.5
    let expected: Duration?

    var testDescription: String { name }
}

/// Policy under test: 5 attempts, 0.5 s base, 8 s cap.
private let policy = try! RetryPolicy(maxAttempts: 5)

private let rows: [Row] = [
    Row(name: "first retry: full jitter over [0, 0.5 s), lowest sample", outcome: .timeout, random: 0, expected: .zero),
    Row(name: "first retry: middle sample is 0.25 s", outcome: .timeout, expected: .milliseconds(250)),
    Row(
        name: "second retry: ceiling doubles to 1 s", attempt: 2, outcome: .connectionFailed,
        expected: .milliseconds(500)),
    Row(
        name: "fourth retry: ceiling 4 s, highest sample just under it", attempt: 4, outcome: .response(status: 503),
        random: 0.999, expected: .milliseconds(3996)),
    Row(
        name: "429 without Retry-After backs off with jitter", outcome: .response(status: 429),
        expected: .milliseconds(250)),
    Row(name: "500 is retried", outcome: .response(status: 500), expected: .milliseconds(250)),
    Row(name: "504 is retried", outcome: .response(status: 504), expected: .milliseconds(250)),
    Row(
        name: "Retry-After wins over the backoff", outcome: .response(status: 429, retryAfter: .seconds(7)),
        expected: .seconds(7)),
    Row(
        name: "Retry-After of zero retries at once", attempt: 3, outcome: .response(status: 503, retryAfter: .zero),
        expected: .zero),
    Row(name: "a delay reaching the deadline stops", outcome: .timeout, deadline: .milliseconds(250), expected: nil),
    Row(
        name: "a delay just inside the deadline retries", outcome: .timeout, deadline: .milliseconds(251),
        expected: .milliseconds(250)),
    Row(
        name: "a Retry-After beyond the deadline stops", outcome: .response(status: 429, retryAfter: .seconds(30)),
        deadline: .seconds(10), expected: nil),
    Row(name: "400 is not retried", outcome: .response(status: 400), expected: nil),
    Row(name: "401 is not retried", outcome: .response(status: 401), expected: nil),
    Row(name: "404 is not retried", outcome: .response(status: 404), expected: nil),
    Row(name: "a non-retryable failure is not retried", outcome: .nonRetryable, expected: nil),
    Row(name: "the last attempt is not retried", attempt: 5, outcome: .timeout, expected: nil),
]

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("nextDelay follows the table", arguments: rows)
    fileprivate func nextDelay(_ row: Row) {
        let now = ContinuousClock.now
        let delay = policy.nextDelay(
            attempt: row.attempt, outcome: row.outcome, now: now, deadline: now + row.deadline, random: row.random)
        #expect(delay == row.expected)
    }

    @Test("full-jitter delays spread over the whole [0, ceiling) range", arguments: 1...4)
    func fullJitterSpread(attempt: Int) {
        let ceiling = RetryPolicy.defaultBackoff.ceiling(attempt: attempt)
        let now = ContinuousClock.now
        let delays = (0..<1000).compactMap { _ in
            policy.nextDelay(
                attempt: attempt, outcome: .timeout, now: now, deadline: now + .seconds(3600),
                random: Double.random(in: 0..<1))
        }
        #expect(delays.count == 1000)
        #expect(delays.allSatisfy { $0 >= .zero && $0 < ceiling })
        // Uniform: both the bottom and the top tenth of the range are hit.
        #expect(delays.contains { $0 < ceiling / 10 })
        #expect(delays.contains { $0 > ceiling * 9 / 10 })
    }

    @Test("the default policy makes 3 attempts")
    func defaultAttempts() {
        let now = ContinuousClock.now
        let far = now + .seconds(3600)
        #expect(
            RetryPolicy.standard.nextDelay(attempt: 2, outcome: .timeout, now: now, deadline: far, random: 0.5) != nil)
        #expect(
            RetryPolicy.standard.nextDelay(attempt: 3, outcome: .timeout, now: now, deadline: far, random: 0.5) == nil)
    }

    @Test("zero attempts is refused")
    func invalid() {
        #expect(
            throws: ResilienceError.invalidConfiguration(
                field: "retry.maxAttempts", reason: "must be at least 1, got 0")
        ) {
            try RetryPolicy(maxAttempts: 0)
        }
    }

    @Test(
        "Retry-After is read as seconds or as an HTTP date",
        arguments: [
            ("120", Duration.seconds(120)),
            (" 5 ", .seconds(5)),
            ("0", .zero),
            ("Sun, 06 Nov 1994 08:49:37 GMT", .seconds(30)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", .seconds(30)),
            ("Sun Nov  6 08:49:37 1994", .seconds(30)),
            ("Sun, 06 Nov 1994 08:00:00 GMT", .zero),
        ] as [(String, Duration)])
    func retryAfter(value: String, expected: Duration) {
        // 08:49:07 GMT on 6 November 1994.
        let receivedAt = Date(timeIntervalSince1970: 784_111_747)
        #expect(RetryAfter.delay(value, receivedAt: receivedAt) == expected)
    }

    @Test("malformed Retry-After values are ignored", arguments: ["", "soon", "-1", "1.5", "Sun, 06 Nov 1994"])
    func retryAfterMalformed(value: String) {
        #expect(RetryAfter.delay(value, receivedAt: Date()) == nil)
    }
}
