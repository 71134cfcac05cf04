/// How a ``CircuitBreaker`` decides to open, how long it stays open, and how it probes.
/// Validated when built, so a breaker never runs with a nonsensical setting.
public struct CircuitBreakerConfiguration: Sendable, Equatable {
    /// resilience4j's default `failureRateThreshold` (50%).
    public static let defaultFailureRateThreshold = 0.5
    /// The window: the last 20 calls. (resilience4j counts 100, which at a few LLM calls
    /// per second would react to an outage only after tens of seconds.)
    public static let defaultSlidingWindowSize = 20
    /// The minimum: no rate-based decision before 10 calls in the window, so 1 failure out
    /// of the first 2 calls does not open the circuit. (resilience4j: 100.)
    public static let defaultMinimumCalls = 10
    /// Five failures in a row open the circuit even when the window has too few calls: a dead
    /// endpoint whose calls time out (5 s each) opens after ~25 s instead of ~50 s for 10 calls,
    /// while a healthy endpoint with a 10% transient error rate fails 5 times in a row with
    /// probability 10^-5 per call. (Our choice; Hystrix and resilience4j have no such rule.)
    public static let defaultConsecutiveFailures = 5
    /// The call timeout (resilience4j's TimeLimiter defaults to 1 s, too short for LLM calls).
    public static let defaultCallTimeout = Duration.seconds(5)
    /// The open time (resilience4j's `waitDurationInOpenState` is 60 s).
    public static let defaultOpenDuration = Duration.seconds(30)
    /// Open time varies by up to ±10% (27 s to 33 s by default), so pods that opened together do
    /// not probe a recovering provider in the same instant. (Our choice.)
    public static let defaultOpenJitter = 0.1
    /// The probe count in half-open (resilience4j's `permittedNumberOfCallsInHalfOpenState`
    /// is 10).
    public static let defaultHalfOpenProbes = 3

    /// Failure rate in `(0, 1]` at or above which the circuit opens.
    public let failureRateThreshold: Double
    /// Calls the failure rate is computed over (a count-based sliding window).
    public let slidingWindowSize: Int
    /// Calls the window must hold before the failure rate counts.
    public let minimumCalls: Int
    /// Failures in a row that open the circuit regardless of the window.
    public let consecutiveFailures: Int
    /// A call slower than this counts as a failure, even if it eventually succeeded.
    public let callTimeout: Duration
    public let openDuration: Duration
    /// Fraction in `[0, 1)`: the open time is drawn uniformly from `openDuration * (1 ± openJitter)`.
    public let openJitter: Double
    /// Calls admitted in half-open; all must succeed to close, any failure reopens.
    public let halfOpenProbes: Int

    public init(
        failureRateThreshold: Double = defaultFailureRateThreshold,
        slidingWindowSize: Int = defaultSlidingWindowSize,
        minimumCalls: Int = defaultMinimumCalls,
        consecutiveFailures: Int = defaultConsecutiveFailures,
        callTimeout: Duration = defaultCallTimeout,
        openDuration: Duration = defaultOpenDuration,
        openJitter: Double = defaultOpenJitter,
        halfOpenProbes: Int = defaultHalfOpenProbes
    ) throws(ResilienceError) {
        func invalid(_ field: String, _ reason: String) -> ResilienceError {
            .invalidConfiguration(field: "circuitBreaker.\(field)", reason: reason)
        }
        guard failureRateThreshold > 0, failureRateThreshold <= 1 else {
            throw invalid("failureRateThreshold", "must be in (0, 1], got \(failureRateThreshold)")
        }
        guard slidingWindowSize >= 1 else {
            throw invalid("slidingWindowSize", "must be at least 1, got \(slidingWindowSize)")
        }
        guard (1...slidingWindowSize).contains(minimumCalls) else {
            throw invalid(
                "minimumCalls", "must be between 1 and slidingWindowSize (\(slidingWindowSize)), got \(minimumCalls)")
        }
        guard consecutiveFailures >= 1 else {
            throw invalid("consecutiveFailures", "must be at least 1, got \(consecutiveFailures)")
        }
        guard callTimeout > .zero else { throw invalid("callTimeout", "must be positive, got \(callTimeout)") }
        guard openDuration > .zero else { throw invalid("openDuration", "must be positive, got \(openDuration)") }
        guard openJitter >= 0, openJitter < 1 else {
            throw invalid("openJitter", "must be in [0, 1), got \(openJitter)")
        }
        guard halfOpenProbes >= 1 else { throw invalid("halfOpenProbes", "must be at least 1, got \(halfOpenProbes)") }
        self.failureRateThreshold = failureRateThreshold
        self.slidingWindowSize = slidingWindowSize
        self.minimumCalls = minimumCalls
        self.consecutiveFailures = consecutiveFailures
        self.callTimeout = callTimeout
        self.openDuration = openDuration
        self.openJitter = openJitter
        self.halfOpenProbes = halfOpenProbes
    }

    /// The defaults above.
    public static let standard = try! CircuitBreakerConfiguration()

    /// The open time for a jitter sample `random` in `[0, 1)`: `openDuration * (1 - j + 2j * random)`.
    public func jitteredOpenDuration(random: Double) -> Duration {
        let sample = min(max(random, 0), 1)
        return openDuration * (1 - openJitter + 2 * openJitter * sample)
    }
}
