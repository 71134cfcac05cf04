import AssayCore
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator owner index")
struct KubeOwnerIndexTests {
    let configMaps = KubeObjectFixtures.configMaps
    let deployments = KubeObjectFixtures.deployments

    func deployment(_ store: Store, _ name: String) throws -> JSONValue {
        try store.create(
            deployments, namespace: "default",
            object: ["metadata": ["name": .string(name)], "spec": ["selector": ["matchLabels": ["a": "b"]]]]
        ).object
    }

    func configMap(_ store: Store, _ name: String, ownedBy owners: [JSONValue] = []) throws {
        var object = KubeObjectFixtures.configMap(name)
        if !owners.isEmpty {
            object.set(
                ["metadata", "ownerReferences"],
                .array(
                    owners.map { owner in
                        [
                            "apiVersion": "apps/v1", "kind": "Deployment",
                            "name": owner.at(["metadata", "name"]) ?? .null,
                            "uid": owner.at(["metadata", "uid"]) ?? .null,
                        ]
                    }))
        }
        _ = try store.create(configMaps, namespace: "default", object: object)
    }

    func dependents(_ store: Store, of owner: JSONValue) -> Set<String> {
        let uid = owner.at(["metadata", "uid"])?.stringValue ?? ""
        return Set(store.read { $0.owners.dependents(of: uid) }.map(\.key))
    }

    @Test("each owner's dependents are indexed by its uid, and leave the index when they go")
    func dependentsFollowWrites() throws {
        let store = Store()
        let a = try deployment(store, "a")
        let b = try deployment(store, "b")
        try configMap(store, "one", ownedBy: [a])
        try configMap(store, "two", ownedBy: [a, b])
        try configMap(store, "free")
        #expect(dependents(store, of: a) == ["default/one", "default/two"])
        #expect(dependents(store, of: b) == ["default/two"])

        // An update that drops a reference, then a delete.
        _ = try store.write(configMaps, namespace: "default", name: "two") { current in
            var next = current!
            next.set(
                ["metadata", "ownerReferences"], .array([next.at(["metadata", "ownerReferences"])!.arrayValue![1]]))
            return next
        }
        #expect(dependents(store, of: a) == ["default/one"])
        #expect(dependents(store, of: b) == ["default/two"])
        _ = try store.delete(configMaps, namespace: "default", name: "two")
        #expect(dependents(store, of: b).isEmpty)

        // Deleting the owner collects its dependent; nothing of either is left in the index.
        _ = try store.delete(deployments, namespace: "default", name: "a")
        #expect((try? store.get(configMaps, namespace: "default", name: "one")) == nil)
        #expect(dependents(store, of: a).isEmpty)
        let uid = a.at(["metadata", "uid"])?.stringValue ?? ""
        #expect(store.read { $0.owners.byUID[uid] } == nil)
        #expect(store.read { $0.owners.isOccupied("default") })
    }

    @Test("a write costs the collector the objects it concerns, however many others are stored")
    func collectorWorkIsLocal() throws {
        let store = Store()
        let owner = try deployment(store, "owner")
        for index in 0..<2_000 { try configMap(store, "unrelated-\(index)") }
        try configMap(store, "child", ownedBy: [owner])

        var before = store.read(\.collectorVisits)
        try configMap(store, "another")
        // The new object and its namespace.
        #expect(store.read(\.collectorVisits) - before <= 2)

        before = store.read(\.collectorVisits)
        _ = try store.delete(deployments, namespace: "default", name: "owner")
        #expect((try? store.get(configMaps, namespace: "default", name: "child")) == nil)
        // The owner, its dependent and the namespace, each once or twice as the cascade proceeds.
        #expect(store.read(\.collectorVisits) - before <= 8)
    }
}
