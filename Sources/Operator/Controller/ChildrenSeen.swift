import AssayKube

/// The resourceVersions of a suite and of its cached Deployment, Service and autoscaler, as one
/// reconcile saw them. While they are unchanged nothing the reconciler reads from the API has
/// changed (the spec and status are in the suite's version, the operator's settings are fixed for
/// its life, a hand edit or a deletion of a child, or its evaluators becoming ready, changes or
/// clears that child's version).
struct SuiteVersions: Sendable, Hashable {
    var suite: String?
    var deployment: String?
    var service: String?
    var autoscaler: String?

    /// The versions in the caches now of the suite `key` and its children; read without parsing
    /// any of them, so a settled suite's reconcile costs four lookups.
    init(of key: ObjectKey, caches: Reconciler.Caches) {
        let child = Reconciler.childKey(of: key)
        suite = caches.suites.resourceVersion(key)
        deployment = caches.deployments.resourceVersion(child)
        service = caches.services.resourceVersion(child)
        autoscaler = caches.autoscalers.resourceVersion(child)
    }
}

/// The versions when a reconcile last found every child as wanted: while they hold, the next
/// reconcile skips building and comparing the children (most of the CPU of reading a running
/// run's progress).
struct ChildrenSeen: Sendable, Hashable {
    var versions: SuiteVersions
    /// Whether the children were those of a running suite (with the autoscaler) or a finished one.
    var running: Bool
}
