import AssayCore
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator finalizers and garbage collection")
struct KubeGarbageCollectorTests {
    let configMaps = KubeObjectFixtures.configMaps
    let deployments = KubeObjectFixtures.deployments

    func owner(_ store: Store) throws -> JSONValue {
        try store.create(
            deployments, namespace: "default",
            object: ["metadata": ["name": "owner"], "spec": ["replicas": 1, "selector": ["matchLabels": ["a": "b"]]]]
        ).object
    }

    func dependent(_ store: Store, _ name: String, of owner: JSONValue, block: Bool = false, finalizers: [String] = [])
        throws
    {
        var object = KubeObjectFixtures.configMap(name)
        object.set(
            ["metadata", "ownerReferences"],
            [
                [
                    "apiVersion": "apps/v1", "kind": "Deployment", "name": "owner",
                    "uid": owner.at(["metadata", "uid"]) ?? .null, "blockOwnerDeletion": .bool(block),
                ]
            ])
        if !finalizers.isEmpty { object.set(["metadata", "finalizers"], .array(finalizers.map { .string($0) })) }
        _ = try store.create(configMaps, namespace: "default", object: object)
    }

    func exists(_ store: Store, _ type: ResourceType, _ name: String) -> Bool {
        (try? store.get(type, namespace: "default", name: name)) != nil
    }

    @Test("finalizers hold a deletion until they are removed")
    func finalizers() throws {
        let store = Store()
        var object = KubeObjectFixtures.configMap("held")
        object.set(["metadata", "finalizers"], ["example.com/hold"])
        _ = try store.create(configMaps, namespace: "default", object: object)
        let marked = try store.delete(configMaps, namespace: "default", name: "held")
        #expect(marked.at(["metadata", "deletionTimestamp"]) != nil)
        #expect(exists(store, configMaps, "held"))
        _ = try store.write(configMaps, namespace: "default", name: "held") { current in
            var next = current!
            next.set(["metadata", "finalizers"], .array([]))
            return next
        }
        #expect(!exists(store, configMaps, "held"))
    }

    @Test(
        "cascading deletion follows the propagation policy",
        arguments: [
            (DeletionOptions.Propagation.background, false, false),
            (.orphan, false, true),
            (.foreground, false, false),
        ])
    func cascade(_ policy: DeletionOptions.Propagation, _ ownerRemains: Bool, _ dependentRemains: Bool) throws {
        let store = Store()
        let owner = try owner(store)
        try dependent(store, "child", of: owner)
        _ = try store.delete(
            deployments, namespace: "default", name: "owner", options: DeletionOptions(propagation: policy))
        #expect(exists(store, deployments, "owner") == ownerRemains)
        #expect(exists(store, configMaps, "child") == dependentRemains)
        if dependentRemains {
            let child = try store.get(configMaps, namespace: "default", name: "child")
            #expect(child.at(["metadata", "ownerReferences"]) == nil, "orphaned dependents lose the reference")
        }
    }

    @Test("foreground deletion waits for blocking dependents that are themselves finalizing")
    func foregroundWaits() throws {
        let store = Store()
        let owner = try owner(store)
        try dependent(store, "child", of: owner, block: true, finalizers: ["example.com/hold"])
        _ = try store.delete(
            deployments, namespace: "default", name: "owner", options: DeletionOptions(propagation: .foreground))
        let waiting = try store.get(deployments, namespace: "default", name: "owner")
        #expect(waiting.at(["metadata", "finalizers"]) == ["foregroundDeletion"])
        #expect(waiting.at(["metadata", "deletionTimestamp"]) != nil)
        _ = try store.write(configMaps, namespace: "default", name: "child") { current in
            var next = current!
            next.set(["metadata", "finalizers"], .none)
            return next
        }
        #expect(!exists(store, configMaps, "child"))
        #expect(!exists(store, deployments, "owner"))
    }

    @Test("deleting a namespace deletes what is in it, then the namespace")
    func namespaceDeletion() throws {
        let store = Store()
        _ = try store.create(KubeObjectFixtures.namespaces, namespace: "", object: ["metadata": ["name": "scratch"]])
        _ = try store.create(configMaps, namespace: "scratch", object: KubeObjectFixtures.configMap("a"))
        _ = try store.delete(KubeObjectFixtures.namespaces, namespace: "", name: "scratch")
        #expect(store.list(configMaps, namespace: "scratch").items.isEmpty)
        #expect((try? store.get(KubeObjectFixtures.namespaces, namespace: "", name: "scratch")) == nil)
    }

    @Test("a delete with a stale uid precondition is a 409")
    func preconditions() throws {
        let store = Store()
        _ = try store.create(configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a"))
        let error = #expect(throws: APIError.self) {
            _ = try store.delete(
                configMaps, namespace: "default", name: "a", options: DeletionOptions(preconditionUID: "nope"))
        }
        #expect(error?.code == 409)
    }
}
