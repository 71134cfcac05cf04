import AssayCore
import TestSupport
import Testing

@testable import AssayResilience

/// What a step does: a caller asks to call, or an admitted call ends.
private enum Call: Sendable {
    case acquire
    case success(elapsed: Duration)
    case failure
    case timeout

    /// The machine's event for this call at `at` with the jitter sample `random`.
    func event(at: ContinuousClock.Instant, random: Double) -> CircuitEvent {
        switch self {
        case .acquire: .acquire(at: at)
        case .success(let elapsed): .success(elapsed: elapsed, at: at, jitter: random)
        case .failure: .failure(at: at, jitter: random)
        case .timeout: .timeout(at: at, jitter: random)
        }
    }
}

/// One step of a breaker scenario: at `at` (from the scenario's start) `event` happens, and the
/// breaker must then be in `expect`; for `.acquire`, `permitted` says whether the call was let through.
private struct Step: Sendable {
    let at: Duration
    let event: Call
    let expect: CircuitState.Kind
    var permitted: Bool?
    var random = 0.5
}

private struct Scenario: Sendable, CustomTestStringConvertible {
    let name: String
    var configuration = CircuitBreakerConfiguration.standard
    let steps: [Step]

    var testDescription: String { name }
}

private let ms = Duration.milliseconds
private let s = Duration.seconds
private let slow = Duration.seconds(6)  // beyond the default 5 s call timeout
private let fast = Duration.milliseconds(100)

private func calls(_ pattern: String, from start: Duration = .zero, expect: CircuitState.Kind = .closed) -> [Step] {
    pattern.enumerated().map { index, symbol in
        Step(
            at: start + .milliseconds(index), event: symbol == "F" ? .failure : .success(elapsed: fast), expect: expect)
    }
}

private let scenarios: [Scenario] = [
    Scenario(
        name: "9 calls with 4 failures stay closed (below minimum calls); the 10th, a failure, makes 50% and opens",
        steps: calls("SFSFSFSFS") + [Step(at: ms(20), event: .failure, expect: .open)]),
    Scenario(
        name: "10 calls with 4 failures stay closed (40% is under 50%); the 11th failure makes 5/11 and stays closed",
        steps: calls("SFSFSFSFSS") + [Step(at: ms(20), event: .failure, expect: .closed)]),
    Scenario(
        name: "old successes slide out of the 20-call window: 10 failures in the last 20 calls open it",
        steps: calls(String(repeating: "S", count: 30)) + calls("FSFSFSFSFSFSFSFSFS", from: ms(30))
            + [Step(at: ms(50), event: .failure, expect: .open)]),
    Scenario(
        name: "a success that brings the window to the minimum at 50% opens it",
        steps: calls("FSFSFSFSF") + [Step(at: ms(20), event: .success(elapsed: fast), expect: .open)]),
    Scenario(
        name: "5 consecutive failures open before the minimum number of calls",
        steps: calls("SFFFF") + [Step(at: ms(10), event: .failure, expect: .open)]),
    Scenario(
        name: "a success resets the consecutive-failure count",
        steps: calls("FFFFSFFFF")),
    Scenario(
        name: "timeouts and slow successes count as failures",
        steps: [
            Step(at: ms(1), event: .timeout, expect: .closed),
            Step(at: ms(2), event: .success(elapsed: slow), expect: .closed),
            Step(at: ms(3), event: .timeout, expect: .closed),
            Step(at: ms(4), event: .success(elapsed: slow), expect: .closed),
            Step(at: ms(5), event: .timeout, expect: .open),
        ]),
    Scenario(
        name: "open rejects until the jittered open time ends (lowest jitter: 27 s), then admits a probe",
        steps: calls("FFFF") + [
            Step(at: s(1), event: .failure, expect: .open, random: 0),
            Step(at: s(1), event: .acquire, expect: .open, permitted: false),
            Step(at: s(28) - ms(1), event: .acquire, expect: .open, permitted: false),
            Step(at: s(28), event: .acquire, expect: .halfOpen, permitted: true),
        ]),
    Scenario(
        name: "highest jitter keeps it open up to 33 s",
        steps: calls("FFFF") + [
            Step(at: .zero, event: .failure, expect: .open, random: 0.999_999),
            Step(at: s(33) - ms(1), event: .acquire, expect: .open, permitted: false),
            Step(at: s(33), event: .acquire, expect: .halfOpen, permitted: true),
        ]),
    Scenario(
        name: "outcomes arriving while open are ignored",
        steps: calls("FFFF") + [
            Step(at: .zero, event: .failure, expect: .open),
            Step(at: s(1), event: .success(elapsed: fast), expect: .open),
            Step(at: s(2), event: .failure, expect: .open),
            Step(at: s(29), event: .acquire, expect: .open, permitted: false),
        ]),
    Scenario(
        name: "half-open admits 3 probes, rejects a 4th, and closes when all 3 succeed",
        steps: calls("FFFF") + [
            Step(at: .zero, event: .failure, expect: .open),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: false),
            Step(at: s(31), event: .success(elapsed: fast), expect: .halfOpen),
            Step(at: s(31), event: .success(elapsed: fast), expect: .halfOpen),
            Step(at: s(31), event: .success(elapsed: fast), expect: .closed),
            Step(at: s(31), event: .acquire, expect: .closed, permitted: true),
            // The window starts afresh: one failure does not reopen it.
            Step(at: s(32), event: .failure, expect: .closed),
        ]),
    Scenario(
        name: "a failed probe reopens for another full open time",
        steps: calls("FFFF") + [
            Step(at: .zero, event: .failure, expect: .open),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(31), event: .success(elapsed: fast), expect: .halfOpen),
            Step(at: s(32), event: .failure, expect: .open),
            Step(at: s(61), event: .acquire, expect: .open, permitted: false),
            Step(at: s(62), event: .acquire, expect: .halfOpen, permitted: true),
        ]),
    Scenario(
        name: "a slow probe reopens",
        steps: calls("FFFF") + [
            Step(at: .zero, event: .failure, expect: .open),
            Step(at: s(30), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(36), event: .success(elapsed: slow), expect: .open),
        ]),
    Scenario(
        name: "a custom configuration: 1 probe, 1 s open, no jitter, opens at 3 in a row",
        configuration: try! CircuitBreakerConfiguration(
            consecutiveFailures: 3, openDuration: .seconds(1), openJitter: 0, halfOpenProbes: 1),
        steps: calls("FF") + [
            Step(at: .zero, event: .timeout, expect: .open, random: 0.999),
            Step(at: s(1), event: .acquire, expect: .halfOpen, permitted: true),
            Step(at: s(1), event: .acquire, expect: .halfOpen, permitted: false),
            Step(at: s(2), event: .success(elapsed: fast), expect: .closed),
        ]),
]

private struct InvalidConfiguration: Sendable, CustomTestStringConvertible {
    let field: String
    let build: @Sendable () throws -> CircuitBreakerConfiguration

    var testDescription: String { field }
}

private let invalidConfigurations = [
    InvalidConfiguration(field: "failureRateThreshold") { try CircuitBreakerConfiguration(failureRateThreshold: 0) },
    InvalidConfiguration(field: "failureRateThreshold") { try CircuitBreakerConfiguration(failureRateThreshold: 1.5) },
    InvalidConfiguration(field: "slidingWindowSize") {
        try CircuitBreakerConfiguration(slidingWindowSize: 0, minimumCalls: 1)
    },
    InvalidConfiguration(field: "minimumCalls") {
        try CircuitBreakerConfiguration(slidingWindowSize: 5, minimumCalls: 10)
    },
    InvalidConfiguration(field: "consecutiveFailures") { try CircuitBreakerConfiguration(consecutiveFailures: 0) },
    InvalidConfiguration(field: "callTimeout") { try CircuitBreakerConfiguration(callTimeout: .zero) },
    InvalidConfiguration(field: "openDuration") { try CircuitBreakerConfiguration(openDuration: .seconds(-1)) },
    InvalidConfiguration(field: "openJitter") { try CircuitBreakerConfiguration(openJitter: 1) },
    InvalidConfiguration(field: "halfOpenProbes") { try CircuitBreakerConfiguration(halfOpenProbes: 0) },
]

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    @Test("the state machine follows each scenario step by step", arguments: scenarios)
    fileprivate func scenario(_ scenario: Scenario) {
        let machine = CircuitBreakerMachine(configuration: scenario.configuration)
        let start = TestTime.origin
        var state = machine.initial
        for (index, step) in scenario.steps.enumerated() {
            let (next, effects) = machine.transition(state, step.event.event(at: start + step.at, random: step.random))
            state = next
            #expect(state.kind == step.expect, "step \(index): \(step.event) at \(step.at)")
            if let permitted = step.permitted {
                #expect(effects.contains(.permit) == permitted, "step \(index): \(step.event) at \(step.at)")
            }
        }
    }

    @Test("every state change is reported once as an effect, with its reason")
    func transitionEffects() {
        let machine = CircuitBreakerMachine()
        let start = TestTime.origin
        var state = machine.initial
        var reported: [CircuitEffect] = []
        let calls: [Call] =
            Array(repeating: .failure, count: 5) + [.acquire] + Array(repeating: .success(elapsed: fast), count: 3)
        for (index, call) in calls.enumerated() {
            let at = index < 5 ? Duration.zero : .seconds(40)
            let (next, effects) = machine.transition(state, call.event(at: start + at, random: 0.5))
            state = next
            reported += effects.filter { if case .transitioned = $0 { true } else { false } }
        }
        #expect(
            reported == [
                .transitioned(from: .closed, to: .open, reason: .consecutiveFailures(5)),
                .transitioned(from: .open, to: .halfOpen, reason: .openTimeElapsed),
                .transitioned(from: .halfOpen, to: .closed, reason: .probesSucceeded(3)),
            ])
    }

    @Test("a rejection says how long until the circuit may admit a call")
    func rejectionRetryAfter() {
        let machine = CircuitBreakerMachine()
        let start = TestTime.origin
        let open = CircuitState.open(until: start + .seconds(30))
        let (_, effects) = machine.transition(open, .acquire(at: start + .seconds(10)))
        #expect(effects == [.reject(CircuitRejection(reason: .open, retryAfter: .seconds(20)))])
    }

    @Test(
        "the open time stays within ±jitter of the configured duration",
        arguments: [(0.0, 27.0), (0.25, 28.5), (0.5, 30.0), (0.75, 31.5), (0.999_999, 33.0)])
    func openJitterBounds(random: Double, expectedSeconds: Double) {
        let duration = CircuitBreakerConfiguration.standard.jitteredOpenDuration(random: random)
        let error = duration - .seconds(expectedSeconds)
        #expect(error < .milliseconds(1) && error > .zero - .milliseconds(1))
    }

    @Test(
        "the sliding window forgets the oldest outcome once full",
        arguments: [
            ("FFSSS", 1, 0.25, 0),
            ("FFFF", 4, 1.0, 4),
            ("SSSSSF", 1, 0.25, 1),
            ("FSSSSS", 0, 0.0, 0),
        ])
    func callWindow(pattern: String, failures: Int, rate: Double, consecutive: Int) {
        var window = CallWindow(capacity: 4)
        for symbol in pattern { window.record(failure: symbol == "F") }
        #expect(window.calls == min(4, pattern.count))
        #expect(window.failures == failures)
        #expect(window.failureRate == rate)
        #expect(window.consecutiveFailures == consecutive)
    }

    @Test("invalid configurations are refused naming the field", arguments: invalidConfigurations)
    fileprivate func invalidConfiguration(_ invalid: InvalidConfiguration) {
        #expect {
            _ = try invalid.build()
        } throws: { error in
            guard case ResilienceError.invalidConfiguration(let reported, _) = error else { return false }
            return reported == "circuitBreaker.\(invalid.field)"
        }
    }

    @Test("the breaker reports transitions, and ignores outcomes of calls admitted before a state change")
    func wrapperTransitionsAndStalePermits() throws {
        let clock = ManualClock()
        let transitions = Guarded<[CircuitBreaker.Transition]>([])
        let breaker = CircuitBreaker(
            name: "openai", clock: clock, random: { 0.5 },
            onTransition: { transition in transitions.withLock { $0.append(transition) } })
        let stale = try breaker.tryAcquire().get()
        for _ in 0..<5 { breaker.record(.failure, for: try breaker.tryAcquire().get()) }
        #expect(breaker.state.kind == .open)
        guard case .failure(let rejection) = breaker.tryAcquire() else {
            Issue.record("an open breaker admitted a call")
            return
        }
        #expect(rejection.reason == .open && rejection.retryAfter == .seconds(30))

        clock.advance(by: .seconds(30))
        let probe = try breaker.tryAcquire().get()
        #expect(breaker.state.kind == .halfOpen)
        // The call admitted while closed ends now: it must not count as a probe.
        breaker.record(.failure, for: stale)
        #expect(breaker.state.kind == .halfOpen)
        breaker.record(.success, for: probe)
        breaker.record(.success, for: try breaker.tryAcquire().get())
        breaker.record(.success, for: try breaker.tryAcquire().get())
        #expect(breaker.state.kind == .closed)
        #expect(
            transitions.withLock { $0.map { "\($0.name) \($0.from)→\($0.to)" } } == [
                "openai closed→open", "openai open→halfOpen", "openai halfOpen→closed",
            ])
    }

    @Test("run() abandons a call at the call timeout and counts it as a failure")
    func runTimesOut() async throws {
        let breaker = CircuitBreaker(
            name: "slow",
            configuration: try CircuitBreakerConfiguration(consecutiveFailures: 1, callTimeout: .milliseconds(50)))
        await #expect(throws: ResilienceError.callTimedOut(name: "slow", timeout: .milliseconds(50))) {
            try await breaker.run { try await Task.sleep(for: .seconds(30)) }
        }
        #expect(breaker.state.kind == .open)
        await #expect(throws: CircuitRejection.self) { try await breaker.run { 1 } }
    }

    @Test("concurrent callers never exceed the half-open probe count")
    func concurrentProbes() async throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(name: "p", clock: clock, random: { 0 })
        for _ in 0..<5 { breaker.record(.failure, for: try breaker.tryAcquire().get()) }
        clock.advance(by: .seconds(60))
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { (try? breaker.tryAcquire().get()) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == CircuitBreakerConfiguration.defaultHalfOpenProbes)
    }
}
