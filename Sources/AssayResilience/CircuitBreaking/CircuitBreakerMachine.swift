import AssayCore

/// The circuit breaker's rules as a ``StateMachine``: no clock, no lock, no randomness of its own.
/// ``CircuitBreaker`` feeds it events carrying the time and a random sample, and applies its effects.
///
/// ```
/// closed ──failure rate ≥ threshold (≥ minimumCalls) or N failures in a row──▶ open(until)
/// open ──acquire at or after `until`──▶ half-open (that call is the first probe)
/// half-open ──all probes succeed──▶ closed (fresh window)
/// half-open ──a probe fails, times out or is slow──▶ open(until)
/// ```
public struct CircuitBreakerMachine: StateMachine, Equatable {
    public let configuration: CircuitBreakerConfiguration

    public init(configuration: CircuitBreakerConfiguration = .standard) {
        self.configuration = configuration
    }

    public var initial: CircuitState { .closed(CallWindow(capacity: configuration.slidingWindowSize)) }

    /// The state after `event`, and what to do about it. Outcomes arriving while open are
    /// ignored: they belong to calls admitted before it opened.
    public func transition(_ state: CircuitState, _ event: CircuitEvent)
        -> (state: CircuitState, effects: [CircuitEffect])
    {
        let failed: Bool
        let now: ContinuousClock.Instant
        let random: Double
        switch event {
        case .acquire(let at):
            return acquire(state, now: at)
        case .success(let elapsed, let at, let jitter):
            (failed, now, random) = (elapsed > configuration.callTimeout, at, jitter)
        case .failure(let at, let jitter), .timeout(let at, let jitter): (failed, now, random) = (true, at, jitter)
        }
        switch state {
        case .closed(var window):
            window.record(failure: failed)
            // Checked after every outcome, as resilience4j does: the call that fills the window to
            // `minimumCalls` may be a success and still leave the rate at the threshold.
            if window.consecutiveFailures >= configuration.consecutiveFailures {
                return open(from: .closed, .consecutiveFailures(window.consecutiveFailures), now, random)
            }
            if window.calls >= configuration.minimumCalls, window.failureRate >= configuration.failureRateThreshold {
                return open(from: .closed, .failureRate(window.failureRate), now, random)
            }
            return (.closed(window), [])
        case .open:
            return (state, [])
        case .halfOpen(let admitted, let succeeded):
            if failed { return open(from: .halfOpen, .probeFailed, now, random) }
            if succeeded + 1 >= configuration.halfOpenProbes {
                return (
                    initial,
                    [.transitioned(from: .halfOpen, to: .closed, reason: .probesSucceeded(succeeded + 1))]
                )
            }
            return (.halfOpen(admitted: admitted, succeeded: succeeded + 1), [])
        }
    }

    private func acquire(_ state: CircuitState, now: ContinuousClock.Instant)
        -> (state: CircuitState, effects: [CircuitEffect])
    {
        switch state {
        case .closed:
            return (state, [.permit])
        case .open(let until) where now >= until:
            return (
                .halfOpen(admitted: 1, succeeded: 0),
                [.transitioned(from: .open, to: .halfOpen, reason: .openTimeElapsed), .permit]
            )
        case .open(let until):
            return (state, [.reject(CircuitRejection(reason: .open, retryAfter: until - now))])
        case .halfOpen(let admitted, let succeeded) where admitted < configuration.halfOpenProbes:
            return (.halfOpen(admitted: admitted + 1, succeeded: succeeded), [.permit])
        case .halfOpen:
            // A probe resolves within the call timeout at the latest.
            let rejection = CircuitRejection(reason: .probesInFlight, retryAfter: configuration.callTimeout)
            return (state, [.reject(rejection)])
        }
    }

    private func open(
        from kind: CircuitState.Kind, _ reason: CircuitTransitionReason, _ now: ContinuousClock.Instant,
        _ random: Double
    ) -> (state: CircuitState, effects: [CircuitEffect]) {
        let until = now + configuration.jitteredOpenDuration(random: random)
        return (.open(until: until), [.transitioned(from: kind, to: .open, reason: reason)])
    }
}
