/// What the REST paths of one resource type are made of: the API group and version, the plural
/// used in URLs, the `kind` of its objects, and whether objects live in a namespace.
///
/// The static members are the types the operator uses; any other type works through
/// ``init(group:version:plural:kind:namespaced:)``.
public struct ResourceKind: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1` or `apps/v1`, as objects spell their `apiVersion`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(plural)" : "\(plural).\(group)" }

    public static let service = ResourceKind(
        group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public static let configMap = ResourceKind(
        group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let secret = ResourceKind(
        group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let event = ResourceKind(
        group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let namespace = ResourceKind(
        group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let pod = ResourceKind(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let deployment = ResourceKind(
        group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    public static let horizontalPodAutoscaler = ResourceKind(
        group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler",
        namespaced: true)
    public static let lease = ResourceKind(
        group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    /// Our custom resource. The group and version must match the CRD the operator installs.
    public static let evaluationSuite = ResourceKind(
        group: "eval.assay.dev", version: "v1alpha1", plural: "evaluationsuites", kind: "EvaluationSuite",
        namespaced: true)

    /// The typed resources above, for lookups by `kind`.
    public static let known: [ResourceKind] = [
        .service, .configMap, .secret, .event, .namespace, .pod, .deployment, .horizontalPodAutoscaler, .lease,
        .evaluationSuite,
    ]
}
