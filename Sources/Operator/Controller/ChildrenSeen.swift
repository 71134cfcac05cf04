/// The resourceVersions of a suite and of its cached Deployment, Service and autoscaler when a
/// reconcile last found every child as wanted. While they are unchanged nothing the children are
/// built from has changed (the spec is in the suite's version, the operator's settings are fixed
/// for its life, a hand edit or a deletion of a child changes or clears that child's version), so
/// the next reconcile skips building and comparing them: the larger part of the CPU of reading a
/// stalled run's progress, which is most of an idle operator's work.
struct ChildrenSeen: Sendable, Hashable {
    var suite: String?
    var deployment: String?
    var service: String?
    var autoscaler: String?
    /// Whether the children were those of a running suite (with the autoscaler) or a finished one.
    var running: Bool
}
