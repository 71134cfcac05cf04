import AssayCore
import AssayResilience

/// The suite's circuit-breaker settings for its providers; unset members keep
/// ``CircuitBreakerConfiguration``'s defaults (issue 2/5).
public struct CircuitBreakerSpec: SpecDecodable, Hashable {
    public var failureRateThreshold: Double = CircuitBreakerConfiguration.defaultFailureRateThreshold
    public var slidingWindowSize: Int = CircuitBreakerConfiguration.defaultSlidingWindowSize
    public var minimumCalls: Int = CircuitBreakerConfiguration.defaultMinimumCalls
    public var consecutiveFailures: Int = CircuitBreakerConfiguration.defaultConsecutiveFailures
    public var openSeconds: Double = Double(CircuitBreakerConfiguration.defaultOpenDuration.components.seconds)

    public init() {}

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> CircuitBreakerSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: [
            "failureRateThreshold", "slidingWindowSize", "minimumCalls", "consecutiveFailures", "openSeconds",
        ])
        var spec = CircuitBreakerSpec()
        if let rate = try fields.number("failureRateThreshold") {
            guard rate > 0, rate <= 1 else {
                throw FieldError(path: fields.path("failureRateThreshold"), message: "must be in (0, 1], got \(rate)")
            }
            spec.failureRateThreshold = rate
        }
        for (key, keyPath) in [
            ("slidingWindowSize", \CircuitBreakerSpec.slidingWindowSize), ("minimumCalls", \.minimumCalls),
            ("consecutiveFailures", \.consecutiveFailures),
        ] {
            if let value = try fields.integer(key) {
                guard value >= 1 else {
                    throw FieldError(path: fields.path(key), message: "must be at least 1, got \(value)")
                }
                spec[keyPath: keyPath] = value
            }
        }
        if spec.minimumCalls > spec.slidingWindowSize {
            throw FieldError(
                path: fields.path("minimumCalls"),
                message: "must be at most slidingWindowSize (\(spec.slidingWindowSize)), got \(spec.minimumCalls)")
        }
        if let seconds = try fields.number("openSeconds") {
            guard seconds > 0 else {
                throw FieldError(path: fields.path("openSeconds"), message: "must be positive, got \(seconds)")
            }
            spec.openSeconds = seconds
        }
        return spec
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object([
            ("failureRateThreshold", SpecSchema.number(minimum: 0, maximum: 1)),
            ("slidingWindowSize", SpecSchema.integer(minimum: 1)),
            ("minimumCalls", SpecSchema.integer(minimum: 1)),
            ("consecutiveFailures", SpecSchema.integer(minimum: 1)),
            ("openSeconds", SpecSchema.number(minimum: 0)),
        ])
    }
}
