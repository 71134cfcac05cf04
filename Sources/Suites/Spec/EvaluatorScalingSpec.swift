import AssayCore

/// How many evaluator pods the operator runs for a suite (the HorizontalPodAutoscaler's bounds
/// and its backlog target).
public struct EvaluatorScalingSpec: SpecDecodable, Hashable {
    /// One pod: a suite always makes progress. (Our choice.)
    public static let defaultMinReplicas = 1
    /// Ten pods of 32 in-flight cases each keep 320 provider calls going, more than a typical
    /// provider account's rate limit allows. (Our choice.)
    public static let defaultMaxReplicas = 10
    /// Pending cases per pod the autoscaler aims for: about two batches of the default
    /// concurrency (32) waiting per pod. (Our choice.)
    public static let defaultTargetBacklogPerReplica = 50

    public var minReplicas: Int
    public var maxReplicas: Int
    public var targetBacklogPerReplica: Int

    public init(
        minReplicas: Int = defaultMinReplicas, maxReplicas: Int = defaultMaxReplicas,
        targetBacklogPerReplica: Int = defaultTargetBacklogPerReplica
    ) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.targetBacklogPerReplica = targetBacklogPerReplica
    }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> EvaluatorScalingSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["minReplicas", "maxReplicas", "targetBacklogPerReplica"])
        let minimum = try fields.integer("minReplicas") ?? defaultMinReplicas
        let maximum = try fields.integer("maxReplicas") ?? max(defaultMaxReplicas, minimum)
        let backlog = try fields.integer("targetBacklogPerReplica") ?? defaultTargetBacklogPerReplica
        if minimum < 1 {
            throw FieldError(path: fields.path("minReplicas"), message: "must be at least 1, got \(minimum)")
        }
        if maximum < minimum {
            throw FieldError(
                path: fields.path("maxReplicas"), message: "must be at least minReplicas (\(minimum)), got \(maximum)")
        }
        if backlog < 1 {
            throw FieldError(
                path: fields.path("targetBacklogPerReplica"), message: "must be at least 1, got \(backlog)")
        }
        return EvaluatorScalingSpec(minReplicas: minimum, maxReplicas: maximum, targetBacklogPerReplica: backlog)
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object([
            ("minReplicas", SpecSchema.integer(minimum: 1)),
            ("maxReplicas", SpecSchema.integer(minimum: 1)),
            ("targetBacklogPerReplica", SpecSchema.integer(minimum: 1)),
        ])
    }
}
