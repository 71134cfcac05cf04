import AssayCore
import AssayKube
import Suites

/// Records core/v1 Events about a suite, which `kubectl describe evaluationsuite` and
/// `kubectl get events` show. Recording is best effort: a failure is logged, never retried, and
/// never fails the reconcile (as client-go's recorder).
struct EventRecorder: Sendable {
    static let component = "assay-operator"

    let client: KubeClient
    /// This replica's name (the pod), as `reportingInstance`.
    let instance: String
    let logger: Logger
    let wallClock: @Sendable () -> Double

    func record(_ event: StatusPlanner.Event, about suite: KubeObject) async {
        guard let name = suite.name, let namespace = suite.namespace else { return }
        let now = wallClock()
        let time = KubeTimestamp.format(now)
        // client-go names events <object>.<unique hex>; nanoseconds of the wall clock plus a
        // random suffix keep names unique across replicas.
        let suffix = String(UInt64(now * 1_000_000_000), radix: 16) + String(UInt32.random(in: 0...(.max)), radix: 16)
        var involved = JSONObject([
            ("apiVersion", .string(EvaluationSuite.apiVersion)), ("kind", .string(EvaluationSuite.kind)),
            ("name", .string(name)), ("namespace", .string(namespace)),
        ])
        if let uid = suite.uid { involved["uid"] = .string(uid) }
        if let version = suite.resourceVersion { involved["resourceVersion"] = .string(version) }
        let object = KubeObject(
            .event, name: "\(name).\(suffix)", namespace: namespace,
            body: JSONObject([
                ("involvedObject", .object(involved)),
                ("reason", .string(event.reason)),
                ("message", .string(String(event.message.prefix(1024)))),
                ("type", .string(event.kind.rawValue)),
                ("source", ["component": .string(Self.component)]),
                ("firstTimestamp", .string(time)),
                ("lastTimestamp", .string(time)),
                ("count", 1),
                ("reportingComponent", .string(Self.component)),
                ("reportingInstance", .string(instance)),
            ]))
        do {
            _ = try await client.create(object, as: .event)
        } catch {
            logger.warning(
                "cannot record an event",
                ["suite": "\(namespace)/\(name)", "reason": event.reason, "error": "\(error)"])
        }
    }
}
