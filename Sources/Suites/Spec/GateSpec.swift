import AssayCore

/// How a run's verdict is gated (`spec.gate`): on each target's pass rate or on its interval's
/// lower bound, and when a drop against a baseline counts as a regression.
public struct GateSpec: SpecDecodable, Hashable {
    /// What must reach `passThreshold`.
    public enum Bound: String, Sendable, Hashable, CaseIterable {
        /// The pass rate itself.
        case estimate
        /// The lower bound of the pass rate's Wilson interval: the rate the run rules out falling below.
        case lowerBound
    }

    /// The usual 5% significance level of a one-sided test. (Issue 13's default.)
    public static let defaultAlpha = 0.05
    /// Any significant drop is a regression unless the suite tolerates one. (Issue 13's default.)
    public static let defaultMaxRegression = 0.0

    public var on: Bound = .estimate
    /// A target regresses when the one-sided McNemar p-value is below this...
    public var alpha: Double = defaultAlpha
    /// ...and its pass rate dropped by more than this fraction.
    public var maxRegression: Double = defaultMaxRegression

    public init(on: Bound = .estimate, alpha: Double = defaultAlpha, maxRegression: Double = defaultMaxRegression) {
        self.on = on
        self.alpha = alpha
        self.maxRegression = maxRegression
    }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> GateSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["on", "alpha", "maxRegression"])
        var spec = GateSpec()
        if let on = try fields.string("on") {
            guard let bound = Bound(rawValue: on) else {
                throw FieldError(path: fields.path("on"), message: "must be estimate or lowerBound, got \"\(on)\"")
            }
            spec.on = bound
        }
        if let alpha = try fields.number("alpha") {
            guard alpha > 0, alpha < 1 else {
                throw FieldError(
                    path: fields.path("alpha"), message: "must be between 0 and 1 (exclusive), got \(alpha)")
            }
            spec.alpha = alpha
        }
        if let drop = try fields.number("maxRegression") {
            guard (0...1).contains(drop) else {
                throw FieldError(
                    path: fields.path("maxRegression"), message: "must be a fraction between 0 and 1, got \(drop)")
            }
            spec.maxRegression = drop
        }
        return spec
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object([
            ("on", ["type": "string", "enum": .array(Bound.allCases.map { .string($0.rawValue) })]),
            ("alpha", SpecSchema.number(minimum: 0, maximum: 1)),
            ("maxRegression", SpecSchema.number(minimum: 0, maximum: 1)),
        ])
    }
}
