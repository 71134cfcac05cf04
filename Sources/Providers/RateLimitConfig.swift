import AssayCore

/// Client-side pacing for one provider: a token bucket of requests, and optionally of LLM tokens.
public struct RateLimitConfig: Sendable, Hashable {
    public var requestsPerSecond: Double
    public var burst: Int
    public var tokensPerMinute: Int?

    public init(requestsPerSecond: Double, burst: Int, tokensPerMinute: Int? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.tokensPerMinute = tokensPerMinute
    }

    static let fieldNames: Set<String> = ["requestsPerSecond", "burst", "tokensPerMinute"]

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> RateLimitConfig {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: fieldNames)
        let rps = try fields.required("requestsPerSecond", fields.number)
        guard rps > 0 else {
            throw FieldError(path: fields.path("requestsPerSecond"), message: "must be greater than 0, got \(rps)")
        }
        let burst = try fields.required("burst", fields.integer)
        guard burst >= 1 else {
            throw FieldError(path: fields.path("burst"), message: "must be at least 1, got \(burst)")
        }
        let tpm = try fields.integer("tokensPerMinute")
        if let tpm, tpm < 1 {
            throw FieldError(path: fields.path("tokensPerMinute"), message: "must be at least 1, got \(tpm)")
        }
        return RateLimitConfig(requestsPerSecond: rps, burst: burst, tokensPerMinute: tpm)
    }
}
