import AssayCore
import AssayKube
import Suites

/// The suite's children: the Deployment first for a new suite, then Deployment, Service and
/// autoscaler server-side applied when the cache lacks a field we set, scaled, or deleted.
extension Reconciler {
    /// The Deployment of a suite seen for the first time (no finalizer yet), applied before
    /// anything else when its spec decodes and no Deployment is cached; the server's answer,
    /// which stands in for the cache in the same reconcile so the Deployment is not applied twice.
    func applyNewDeployment(_ object: KubeObject) async throws -> KubeObject? {
        guard object.deletionTimestamp == nil, case .success(let suite) = loader.decode(object) else { return nil }
        let builder = ChildrenBuilder(suite: suite, config: config)
        guard !caches.deployments.contains(ObjectKey(namespace: builder.namespace, name: builder.childName))
        else { return nil }
        return try await client.apply(
            KubeObject(builder.deployment), as: .deployment, fieldManager: Self.fieldManager, force: true)
    }

    /// Applies Deployment and Service (and, while running, the autoscaler) when the cached copies
    /// (or `applied`, a Deployment written earlier in this reconcile) differ from what we want;
    /// sets replicas only when scaling from or to zero, so the autoscaler owns them in between.
    /// Skipped while the suite and the cached children keep the versions of the last reconcile
    /// that changed nothing (``ChildrenSeen``). Whether it wrote.
    func applyChildren(
        _ suite: EvaluationSuite, of object: KubeObject, running: Bool, applied: KubeObject? = nil
    ) async throws -> Bool {
        let builder = ChildrenBuilder(suite: suite, config: config)
        let namespace = builder.namespace
        let childKey = ObjectKey(namespace: namespace, name: builder.childName)
        let seen = ChildrenSeen(versions: SuiteVersions(of: object.key, caches: caches), running: running)
        if applied == nil, memory.withLock({ $0[object.key]?.children }) == seen { return false }
        let deployment = caches.deployments.get(childKey) ?? applied
        var wrote = try await applyIfChanged(builder.deployment, as: .deployment, cached: deployment)
        wrote = try await applyIfChanged(builder.service, as: .service, cached: caches.services.get(childKey)) || wrote
        let replicas = deployment?["spec"]?["replicas"]?.doubleValue.map {
            Int($0)
        }
        if running {
            wrote =
                try await applyIfChanged(
                    builder.autoscaler, as: .horizontalPodAutoscaler, cached: caches.autoscalers.get(childKey)) || wrote
            // An autoscaler does nothing for a Deployment at zero: start it at minReplicas.
            if replicas == 0 {
                wrote = true
                try await scale(childKey, to: suite.spec.evaluators.minReplicas)
            }
        } else {
            if caches.autoscalers.contains(childKey) {
                wrote = true
                try await ignoringNotFound {
                    try await client.delete(.horizontalPodAutoscaler, name: childKey.name, namespace: namespace)
                }
            }
            if replicas != 0 {
                wrote = true
                try await scale(childKey, to: 0)
            }
        }
        if !wrote, applied == nil { memory.withLock { $0[object.key, default: Remembered()].children = seen } }
        return wrote
    }

    private func scale(_ key: ObjectKey, to replicas: Int) async throws {
        _ = try await client.patch(
            .deployment, name: key.name, namespace: key.namespace,
            .merge(["spec": ["replicas": .number(Double(replicas))]]))
    }

    /// Whether it wrote.
    private func applyIfChanged(_ desired: JSONValue, as kind: ResourceKind, cached: KubeObject?) async throws -> Bool {
        if let cached, Self.contains(cached.json, desired) { return false }
        _ = try await client.apply(KubeObject(desired), as: kind, fieldManager: Self.fieldManager, force: true)
        return true
    }

    /// Deletes the children the caches hold (and `applied`, a Deployment written earlier in this
    /// reconcile that the cache has not seen yet); whether it deleted any.
    func deleteChildren(of suite: KubeObject, applied: KubeObject? = nil) async throws -> Bool {
        let key = Self.childKey(of: suite.key)
        var deleted = false
        for (kind, cache) in [
            (ResourceKind.horizontalPodAutoscaler, caches.autoscalers), (.deployment, caches.deployments),
            (.service, caches.services),
        ] where cache.contains(key) || (kind == .deployment && applied != nil) {
            deleted = true
            try await ignoringNotFound { try await client.delete(kind, name: key.name, namespace: key.namespace) }
        }
        return deleted
    }

    /// Whether `actual` already has every member of `desired` with the same value (objects
    /// compared member by member, arrays element by element): the server's defaults and other
    /// managers' fields may be there too.
    static func contains(_ actual: JSONValue, _ desired: JSONValue) -> Bool {
        switch (actual, desired) {
        case (.object(let a), .object(let d)):
            return d.allSatisfy { key, value in a[key].map { contains($0, value) } ?? false }
        case (.array(let a), .array(let d)):
            return a.count == d.count && zip(a, d).allSatisfy { contains($0, $1) }
        case (.number(let a), .number(let d)):
            return a == d
        default:
            return actual == desired
        }
    }
}
