import Testing

@testable import AssayResilience

@Suite("Exponential backoff")
struct BackoffTests {
    private static let backoff = try! ExponentialBackoff(base: .milliseconds(100), cap: .seconds(1))

    @Test(
        "the ceiling doubles from the base each attempt and stops at the cap",
        arguments: [
            (1, Duration.milliseconds(100)), (2, .milliseconds(200)), (3, .milliseconds(400)), (4, .milliseconds(800)),
            (5, .seconds(1)), (64, .seconds(1)), (Int.max, .seconds(1)),
        ] as [(Int, Duration)])
    func ceiling(attempt: Int, expected: Duration) {
        #expect(Self.backoff.ceiling(attempt: attempt) == expected)
    }

    @Test(
        "full jitter scales the ceiling by the random sample",
        arguments: [(0.0, Duration.zero), (0.5, .milliseconds(200)), (0.25, .milliseconds(100))] as [(Double, Duration)]
    )
    func fullJitter(random: Double, expected: Duration) {
        #expect(Self.backoff.fullJitter(attempt: 3, random: random) == expected)
    }

    @Test(
        "equal jitter keeps half the ceiling and scales the other half by the random sample",
        arguments: [(0.0, Duration.milliseconds(200)), (0.5, .milliseconds(300)), (0.25, .milliseconds(250))]
            as [(Double, Duration)])
    func equalJitter(random: Double, expected: Duration) {
        #expect(Self.backoff.equalJitter(attempt: 3, random: random) == expected)
    }

    @Test("a cap below the base and a non-positive base are refused")
    func invalid() {
        #expect(throws: ResilienceError.self) { try ExponentialBackoff(base: .seconds(2), cap: .seconds(1)) }
        #expect(throws: ResilienceError.self) { try ExponentialBackoff(base: .zero, cap: .seconds(1)) }
    }
}
