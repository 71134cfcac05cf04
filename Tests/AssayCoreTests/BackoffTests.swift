import TestSupport
import Testing

@testable import AssayCore

@Suite("Backoff")
struct BackoffTests {
    private static let backoff = try! Backoff(base: .milliseconds(100), cap: .seconds(1))

    @Test(
        "the ceiling doubles from the base each attempt and stops at the cap",
        arguments: [
            (1, Duration.milliseconds(100)), (2, .milliseconds(200)), (3, .milliseconds(400)), (4, .milliseconds(800)),
            (5, .seconds(1)), (64, .seconds(1)), (Int.max, .seconds(1)),
        ] as [(Int, Duration)])
    func ceiling(attempt: Int, expected: Duration) {
        #expect(Self.backoff.ceiling(attempt: attempt) == expected)
        #expect(Self.backoff.delay(attempt: attempt, random: 0.9) == expected, "no jitter: the ceiling itself")
    }

    /// (jitter, random sample, delay of attempt 3, whose ceiling is 400 ms).
    @Test(
        "jitter spreads the third attempt's 400 ms ceiling",
        arguments: [
            (Backoff.Jitter.full, 0.0, Duration.zero), (.full, 0.5, .milliseconds(200)),
            (.full, 0.25, .milliseconds(100)),
            (.equal, 0.0, .milliseconds(200)), (.equal, 0.5, .milliseconds(300)), (.equal, 0.25, .milliseconds(250)),
            (.proportional(1.0), 0.0, .milliseconds(400)), (.proportional(1.0), 0.5, .milliseconds(600)),
            (.proportional(0.5), 0.5, .milliseconds(500)),
        ] as [(Backoff.Jitter, Double, Duration)])
    func jitter(jitter: Backoff.Jitter, random: Double, expected: Duration) throws {
        let backoff = try Backoff(base: .milliseconds(100), cap: .seconds(1), jitter: jitter)
        #expect(backoff.delay(attempt: 3, random: random) == expected)
    }

    @Test("proportional jitter never passes the cap")
    func proportionalCap() throws {
        let backoff = try Backoff(base: .milliseconds(800), cap: .seconds(30), jitter: .proportional(1.0))
        #expect(backoff.delay(attempt: 6, random: 0.99) == .seconds(30))
        #expect(backoff.delay(attempt: 11, random: 0.99) == .seconds(30))
    }

    @Test("a cap below the base and a non-positive base are refused")
    func invalid() {
        #expect(throws: Backoff.Invalid.self) { try Backoff(base: .seconds(2), cap: .seconds(1)) }
        #expect(throws: Backoff.Invalid.self) { try Backoff(base: .zero, cap: .seconds(1)) }
    }

    @Test("a counter doubles from 800 ms to 30 s, and a success starts it over")
    func counterSchedule() throws {
        var counter = BackoffCounter(try Backoff(base: .milliseconds(800), cap: .seconds(30)))
        let delays = (0..<8).map { counter.next(at: TestTime.seconds($0), random: 0.5) }
        #expect(
            delays == [
                .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400),
                .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30),
            ])
        counter.reset()
        #expect(counter.next(at: TestTime.seconds(9), random: 0) == .milliseconds(800))
    }

    @Test("a counter with a reset time starts over after that long without a failure, and not before")
    func counterReset() throws {
        var counter = BackoffCounter(
            try Backoff(base: .milliseconds(800), cap: .seconds(30)), resetAfter: .seconds(120))
        for i in 0..<5 { _ = counter.next(at: TestTime.seconds(i), random: 0) }
        #expect(counter.next(at: TestTime.seconds(4 + 119), random: 0) == .milliseconds(12800 * 2))
        #expect(counter.next(at: TestTime.seconds(123 + 120), random: 0) == .milliseconds(800))
    }
}
