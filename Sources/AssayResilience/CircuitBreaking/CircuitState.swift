/// Where a circuit breaker is, with what each state needs to decide the next one.
public enum CircuitState: Sendable, Equatable {
    /// Calls flow; the window decides when to open.
    case closed(CallWindow)
    /// Calls are rejected until `until`; the first call after it becomes a half-open probe.
    case open(until: ContinuousClock.Instant)
    /// Up to `halfOpenProbes` calls are let through; `admitted` so far, `succeeded` of them.
    case halfOpen(admitted: Int, succeeded: Int)

    /// The states by name, spelled the same everywhere: the `to` label of
    /// `assay_circuit_transitions_total`, logs, `GET /v1/providers` and the suite's status (whose
    /// CRD enumerates these raw values).
    public enum Kind: String, Sendable, CaseIterable {
        case closed
        case open
        case halfOpen

        /// The value of the `assay_circuit_state` gauge: 0 closed, 1 half-open, 2 open (the issue's
        /// encoding: the number grows with how much traffic the breaker holds back).
        public var gaugeValue: Int {
            switch self {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        }
    }
}

/// What happens to a circuit breaker: a caller asks to call at `at`, or a call it allowed ends at
/// `at`. An outcome that opens the circuit picks the open time's jitter with `jitter`, a sample in
/// `[0, 1)`.
public enum CircuitEvent: Sendable, Equatable {
    case acquire(at: ContinuousClock.Instant)
    /// The call succeeded after `elapsed`; slower than the call timeout counts as a failure.
    case success(elapsed: Duration, at: ContinuousClock.Instant, jitter: Double)
    case failure(at: ContinuousClock.Instant, jitter: Double)
    /// The call was abandoned at the call timeout.
    case timeout(at: ContinuousClock.Instant, jitter: Double)
}

/// Why a breaker changed state, for logs.
public enum CircuitTransitionReason: Sendable, Equatable {
    case failureRate(Double)
    case consecutiveFailures(Int)
    case openTimeElapsed
    case probesSucceeded(Int)
    case probeFailed
}

/// A call the breaker refused, and when asking again makes sense.
public struct CircuitRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The circuit is open.
        case open
        /// Half-open, and all its probe calls are in flight.
        case probesInFlight
    }

    public let reason: Reason
    public let retryAfter: Duration

    public init(reason: Reason, retryAfter: Duration) {
        self.reason = reason
        self.retryAfter = retryAfter
    }

    public var description: String {
        switch reason {
        case .open:
            "circuit open after repeated failures; retry in \(retryAfter) or use another provider"
        case .probesInFlight:
            "circuit half-open and its probe calls are in flight; retry in \(retryAfter) or use another provider"
        }
    }
}

/// What the driver of ``CircuitBreakerMachine`` must do.
public enum CircuitEffect: Sendable, Equatable {
    /// Let the call through (answer to ``CircuitEvent/acquire``).
    case permit
    /// Refuse the call (answer to ``CircuitEvent/acquire``).
    case reject(CircuitRejection)
    /// Report a state change (metrics, logs).
    case transitioned(from: CircuitState.Kind, to: CircuitState.Kind, reason: CircuitTransitionReason)
}
