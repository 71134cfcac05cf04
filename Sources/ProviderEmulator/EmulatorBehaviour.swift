import AssayCore

/// What the emulator does to each request on a route: delays, failures and faults, each with a
/// probability, so tests and benchmarks can exercise timeouts, retries and error mapping.
struct EmulatorBehaviour: Sendable, Equatable {
    /// Fixed delay before answering.
    var latencyMs: Int = 0
    /// Extra uniformly random delay in 0...latencyJitterMs.
    var latencyJitterMs: Int = 0
    /// Probability in 0...1 of answering `errorStatus` instead.
    var errorRate: Double = 0
    /// Status for injected errors: 500 or 503 (or any 4xx/5xx to test mapping).
    var errorStatus: Int = 500
    /// Probability of answering 429 with `Retry-After`.
    var rateLimitRate: Double = 0
    /// `Retry-After` seconds on injected 429s.
    var retryAfterSeconds: Int = 1
    /// Never answer (until the client gives up and the connection closes).
    var hang: Bool = false
    /// Delay between the decision to answer and the body. The HTTP server sends bodies whole, so
    /// a "slow body" is emulated as this extra delay before the complete response.
    var slowBodyMs: Int = 0
    /// Probability of a 200 whose body is truncated, invalid JSON.
    var malformedRate: Double = 0

    static let fieldNames: Set<String> = [
        "route", "latencyMs", "latencyJitterMs", "errorRate", "errorStatus", "rateLimitRate", "retryAfterSeconds",
        "hang", "slowBodyMs", "malformedRate",
    ]

    /// Applies the members present in `json` on top of `self` (`route` is read by the caller).
    func patched(with json: JSONValue, at path: String = "") throws(FieldError) -> EmulatorBehaviour {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: Self.fieldNames)
        var b = self
        if let v = try fields.integer("latencyMs") { b.latencyMs = try Self.nonNegative(v, fields, "latencyMs") }
        if let v = try fields.integer("latencyJitterMs") {
            b.latencyJitterMs = try Self.nonNegative(v, fields, "latencyJitterMs")
        }
        if let v = try fields.number("errorRate") { b.errorRate = try Self.probability(v, fields, "errorRate") }
        if let v = try fields.integer("errorStatus") {
            guard (400...599).contains(v) else {
                throw FieldError(path: fields.path("errorStatus"), message: "must be an HTTP error status 400...599")
            }
            b.errorStatus = v
        }
        if let v = try fields.number("rateLimitRate") {
            b.rateLimitRate = try Self.probability(v, fields, "rateLimitRate")
        }
        if let v = try fields.integer("retryAfterSeconds") {
            b.retryAfterSeconds = try Self.nonNegative(v, fields, "retryAfterSeconds")
        }
        if let v = try fields.bool("hang") { b.hang = v }
        if let v = try fields.integer("slowBodyMs") { b.slowBodyMs = try Self.nonNegative(v, fields, "slowBodyMs") }
        if let v = try fields.number("malformedRate") {
            b.malformedRate = try Self.probability(v, fields, "malformedRate")
        }
        return b
    }

    var json: JSONValue {
        [
            "latencyMs": .number(Double(latencyMs)), "latencyJitterMs": .number(Double(latencyJitterMs)),
            "errorRate": .number(errorRate), "errorStatus": .number(Double(errorStatus)),
            "rateLimitRate": .number(rateLimitRate), "retryAfterSeconds": .number(Double(retryAfterSeconds)),
            "hang": .bool(hang), "slowBodyMs": .number(Double(slowBodyMs)), "malformedRate": .number(malformedRate),
        ]
    }

    private static func nonNegative(_ v: Int, _ f: JSONFields, _ key: String) throws(FieldError) -> Int {
        guard v >= 0 else { throw FieldError(path: f.path(key), message: "must not be negative, got \(v)") }
        return v
    }

    private static func probability(_ v: Double, _ f: JSONFields, _ key: String) throws(FieldError) -> Double {
        guard (0...1).contains(v) else {
            throw FieldError(path: f.path(key), message: "must be between 0 and 1, got \(v)")
        }
        return v
    }
}
