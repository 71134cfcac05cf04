import AssayCore

/// A thread-safe circuit breaker for one provider endpoint, driving ``CircuitBreakerMachine``.
///
/// ```swift
/// switch breaker.tryAcquire() {
/// case .failure(let rejection): // try the next provider; rejection.retryAfter says when this one may work
/// case .success(let permit):
///     // ... call, then:
///     breaker.record(.success, for: permit)
/// }
/// ```
/// or let ``run(_:)`` do all of it, including the call timeout.
public final class CircuitBreaker: Sendable {
    /// A granted call. Record its outcome exactly once.
    public struct Permit: Sendable {
        public let startedAt: ContinuousClock.Instant
        /// Changes on every state change: outcomes of calls from an earlier state are ignored, so a
        /// slow call admitted while closed cannot close or reopen a half-open circuit.
        fileprivate let generation: UInt64
    }

    public enum Outcome: Sendable, Equatable {
        case success
        case failure
        /// The caller gave up at the call timeout.
        case timeout
    }

    /// A state change, for `assay_circuit_state` and `assay_circuit_transitions_total`.
    public struct Transition: Sendable, Equatable {
        public let name: String
        public let from: CircuitState.Kind
        public let to: CircuitState.Kind
        public let reason: CircuitTransitionReason
    }

    private struct Locked {
        var state: CircuitState
        var generation: UInt64 = 0
    }

    /// The endpoint, as metrics and logs label it.
    public let name: String
    public let machine: CircuitBreakerMachine
    private let clock: any MonotonicClock
    private let random: @Sendable () -> Double
    private let onTransition: @Sendable (Transition) -> Void
    private let locked: Guarded<Locked>

    /// - Parameters:
    ///   - random: samples in `[0, 1)` for the open-time jitter.
    ///   - onTransition: called after each state change, outside the lock; keep it quick.
    public init(
        name: String, configuration: CircuitBreakerConfiguration = .standard, clock: any MonotonicClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        onTransition: @escaping @Sendable (Transition) -> Void = { _ in }
    ) {
        self.name = name
        machine = CircuitBreakerMachine(configuration: configuration)
        self.clock = clock
        self.random = random
        self.onTransition = onTransition
        locked = Guarded(Locked(state: machine.initial))
    }

    public var state: CircuitState { locked.withLock { $0.state } }

    /// A permit to call, or why not and for how long.
    public func tryAcquire(now: ContinuousClock.Instant? = nil) -> Result<Permit, CircuitRejection> {
        let now = now ?? clock.now
        let (effects, generation) = apply { _ in .acquire(at: now) }
        for effect in effects {
            if case .reject(let rejection) = effect { return .failure(rejection) }
        }
        return .success(Permit(startedAt: now, generation: generation))
    }

    /// Records how the permitted call ended; a success slower than the call timeout is a failure.
    public func record(_ outcome: Outcome, for permit: Permit, now: ContinuousClock.Instant? = nil) {
        let now = now ?? clock.now
        _ = apply(generation: permit.generation) { jitter in
            switch outcome {
            case .success: .success(elapsed: now - permit.startedAt, at: now, jitter: jitter)
            case .failure: .failure(at: now, jitter: jitter)
            case .timeout: .timeout(at: now, jitter: jitter)
            }
        }
    }

    /// Acquires, runs `body` with the call timeout, and records the outcome: thrown errors are
    /// failures, the timeout cancels `body` and throws ``ResilienceError/callTimedOut(name:timeout:)``.
    /// A rejection is thrown as ``CircuitRejection``.
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let permit = try tryAcquire().get()
        let timeout = machine.configuration.callTimeout
        let clock = self.clock
        do {
            let value = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await clock.sleep(until: permit.startedAt + timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw ResilienceError.callTimedOut(name: name, timeout: timeout)
                }
                return value
            }
            record(.success, for: permit)
            return value
        } catch ResilienceError.callTimedOut(let name, let timeout) {
            record(.timeout, for: permit)
            throw ResilienceError.callTimedOut(name: name, timeout: timeout)
        } catch {
            record(.failure, for: permit)
            throw error
        }
    }

    /// Feeds the machine the event `make` builds from a fresh jitter sample.
    private func apply(generation: UInt64? = nil, _ make: (Double) -> CircuitEvent)
        -> (effects: [CircuitEffect], generation: UInt64)
    {
        let event = make(random())
        let (effects, generationAfter) = locked.withLock { locked -> ([CircuitEffect], UInt64) in
            if let generation, generation != locked.generation { return ([], locked.generation) }
            let (state, effects) = machine.transition(locked.state, event)
            locked.state = state
            for case .transitioned in effects { locked.generation &+= 1 }
            return (effects, locked.generation)
        }
        for case .transitioned(let from, let to, let reason) in effects {
            onTransition(Transition(name: name, from: from, to: to, reason: reason))
        }
        return (effects, generationAfter)
    }
}
