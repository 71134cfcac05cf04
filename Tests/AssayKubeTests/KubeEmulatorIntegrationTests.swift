import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayKube

/// The client against the real emulator binary: every operation, conflicts, watches that are
/// dropped or expire, and bookmarks. Skipped when the emulator is not built next to the tests.
@Suite(
    "KubeClient against the emulator",
    .enabled(if: EmulatorProcess.executable != nil, "assay-kube-emulator is not built"))
struct KubeEmulatorIntegrationTests {
    @Test("get, list with pagination, create, replace with a stale resourceVersion (409), and delete")
    func crud() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let client = emulator.client
        for i in 0..<5 {
            let object = KubeObject(
                .configMap, name: "cm-\(i)", namespace: "default", body: JSONObject([("data", ["i": .string("\(i)")])]))
            _ = try await client.create(object, as: .configMap)
        }
        await #expect {
            try await client.create(KubeObject(.configMap, name: "cm-0", namespace: "default"), as: .configMap)
        } throws: { error in
            (error as? KubeError)?.status?.reason == .alreadyExists
        }
        let page = try await client.list(.configMap, namespace: "default", options: ListOptions(limit: 2))
        #expect(page.items.count == 2)
        #expect(page.continueToken != nil)
        let all = try await client.listAll(.configMap, namespace: "default", pageSize: 2)
        #expect(all.items.compactMap(\.name).filter { $0.hasPrefix("cm-") }.sorted() == (0..<5).map { "cm-\($0)" })

        var first = try await client.get(.configMap, name: "cm-0", namespace: "default")
        #expect(first["data"]?["i"] == "0")
        first["data"] = ["i": "changed"]
        let replaced = try await client.replace(first, as: .configMap)
        #expect(replaced.resourceVersion != first.resourceVersion)
        await #expect {
            try await client.replace(first, as: .configMap)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.isConflict && error.status?.reason == .conflict
        }

        await #expect {
            try await client.delete(
                .configMap, name: "cm-1", namespace: "default", options: DeleteOptions(preconditionUID: "not-the-uid"))
        } throws: { error in
            (error as? KubeError)?.isConflict == true
        }
        try await client.delete(
            .configMap, name: "cm-1", namespace: "default", options: DeleteOptions(propagationPolicy: .background))
        await #expect {
            try await client.get(.configMap, name: "cm-1", namespace: "default")
        } throws: { error in
            (error as? KubeError)?.isNotFound == true
        }
    }

    @Test("merge patch, JSON patch with a failing test op, server-side apply, and the status subresource")
    func patches() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let client = emulator.client
        let deployment = KubeObject(
            .deployment, name: "web", namespace: "default",
            body: JSONObject([
                (
                    "spec",
                    [
                        "replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                        "template": [
                            "metadata": ["labels": ["app": "web"]],
                            "spec": ["containers": [["name": "web", "image": "nginx"]]],
                        ],
                    ]
                )
            ]))
        _ = try await client.create(deployment, as: .deployment)

        let merged = try await client.patch(
            .deployment, name: "web", namespace: "default", .merge(["spec": ["replicas": 2]]))
        #expect(merged["spec"]?["replicas"] == 2)

        let patched = try await client.patch(
            .deployment, name: "web", namespace: "default",
            .json([.test(path: "/spec/replicas", value: 2), .replace(path: "/spec/replicas", value: 3)]))
        #expect(patched["spec"]?["replicas"] == 3)
        await #expect {
            try await client.patch(
                .deployment, name: "web", namespace: "default",
                .json([.test(path: "/spec/replicas", value: 99), .replace(path: "/spec/replicas", value: 4)]))
        } throws: { error in
            guard let status = (error as? KubeError)?.status else { return false }
            // The API server's answer to a patch that does not apply says no more than this.
            return status.code == 422 && status.reason == .invalid
        }

        var intent = KubeObject(.configMap, name: "applied", namespace: "default")
        intent["data"] = ["owner": "operator"]
        let applied = try await client.apply(intent, as: .configMap, fieldManager: "assay-operator")
        #expect(applied["data"]?["owner"] == "operator")
        var other = KubeObject(.configMap, name: "applied", namespace: "default")
        other["data"] = ["owner": "someone-else"]
        await #expect {
            try await client.apply(other, as: .configMap, fieldManager: "other-manager")
        } throws: { error in
            (error as? KubeError)?.isConflict == true
        }
        let forced = try await client.apply(other, as: .configMap, fieldManager: "other-manager", force: true)
        #expect(forced["data"]?["owner"] == "someone-else")

        let withStatus = try await client.patchStatus(
            .deployment, name: "web", namespace: "default", .merge(["status": ["replicas": 3]]))
        #expect(withStatus["status"]?["replicas"] == 3)
        var current = try await client.get(.deployment, name: "web", namespace: "default")
        current["status"] = ["replicas": 1, "readyReplicas": 1]
        current["spec"] = ["replicas": 50]
        let statusReplaced = try await client.replaceStatus(current, as: .deployment)
        #expect(statusReplaced["status"]?["readyReplicas"] == 1)
        #expect(statusReplaced["spec"]?["replicas"] == 3, "a status update leaves the spec alone")
    }

    @Test("a watch from an expired resourceVersion ends with a 410 event, and bookmarks arrive on a quiet watch")
    func goneAndBookmarks() async throws {
        let emulator = try EmulatorProcess(extraArguments: ["--bookmark-interval", "0.2"])
        defer { emulator.stop() }
        let client = emulator.client
        let created = try await client.create(KubeObject(.configMap, name: "a", namespace: "default"), as: .configMap)
        let rv = try #require(created.resourceVersion)
        var bookmarked = false
        for try await event in try await client.watch(
            .configMap, namespace: "default", resourceVersion: rv, timeoutSeconds: 10)
        {
            if case .bookmark = event {
                bookmarked = true
                break
            }
        }
        #expect(bookmarked)
        _ = try await client.create(KubeObject(.configMap, name: "b", namespace: "default"), as: .configMap)
        try await emulator.hook("expire-history")
        // As the real watch cache does, the stream opens and its one event is a 410 Status.
        var expired: KubeStatusError?
        for try await event in try await client.watch(.configMap, namespace: "default", resourceVersion: rv) {
            if case .error(let status) = event { expired = status }
        }
        #expect(expired?.code == 410)
        #expect(KubeError.api(try #require(expired)).isGone)
    }

    @Test("the watcher keeps the cache current across dropped watches without missing an event")
    func droppedWatchReconnects() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let client = emulator.client
        _ = try await client.create(KubeObject(.configMap, name: "before", namespace: "default"), as: .configMap)
        let log = WatcherEventLog()
        let reflector = Reflector(
            watcher: Watcher(
                client: client, kind: .configMap, namespace: "default",
                configuration: WatcherConfiguration(
                    backoff: try Backoff(base: .milliseconds(50), cap: .seconds(30), jitter: .proportional(1.0)))))
        let running = Task { try await reflector.run { log.append($0) } }
        defer { running.cancel() }
        try await log.wait("the first list") { $0.syncs == 1 }
        #expect(reflector.cache.get(name: "before", namespace: "default") != nil)

        for round in 0..<3 {
            try await emulator.hook("drop-watches")
            _ = try await client.create(
                KubeObject(.configMap, name: "during-\(round)", namespace: "default"), as: .configMap)
            try await log.wait("the object created after drop \(round)") { $0.has("added", "during-\(round)") }
        }
        try await client.delete(.configMap, name: "before", namespace: "default")
        try await log.wait("the delete") { $0.has("deleted", "before") }
        #expect(reflector.cache.get(name: "before", namespace: "default") == nil)
        #expect(reflector.cache.list().compactMap(\.name) == ["during-0", "during-1", "during-2"])
        #expect(log.all.syncs == 1, "drops re-watch from the last resourceVersion without relisting")
        running.cancel()
        _ = try? await running.value
    }

    @Test("after 410 the watcher relists and reports objects that vanished meanwhile as deleted")
    func goneRelistsWithDeletes() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let client = emulator.client
        for name in ["keep", "vanish"] {
            _ = try await client.create(KubeObject(.configMap, name: name, namespace: "default"), as: .configMap)
        }
        let log = WatcherEventLog()
        let gate = Gate()
        let reflector = Reflector(watcher: Watcher(client: client, kind: .configMap, namespace: "default"))
        // Holding the first `synced` keeps the watcher from opening its watch, so the changes below
        // happen while it is not watching, and its resourceVersion expires.
        let running = Task {
            try await reflector.run { event in
                log.append(event)
                if event == .synced && log.all.syncs == 1 { await gate.wait() }
            }
        }
        defer { running.cancel() }
        try await log.wait("the first list") { $0.syncs == 1 }
        try await client.delete(.configMap, name: "vanish", namespace: "default")
        _ = try await client.create(KubeObject(.configMap, name: "new", namespace: "default"), as: .configMap)
        try await emulator.hook("expire-history")
        gate.open()
        try await log.wait("the relist") { $0.syncs == 2 }
        let afterFirstSync = log.all.drop { $0 != .synced }.dropFirst()
        #expect(Array(afterFirstSync).has("deleted", "vanish"))
        // The watcher keeps only versions; the Reflector hands on what its cache held of the object.
        var vanished: KubeObject?
        for case .deleted(let object) in afterFirstSync where object.name == "vanish" { vanished = object }
        #expect(vanished?.uid != nil && vanished?.resourceVersion != nil, "\(String(describing: vanished))")
        #expect(Array(afterFirstSync).has("added", "new"))
        #expect(reflector.cache.list().compactMap(\.name) == ["keep", "new"])
        running.cancel()
        _ = try? await running.value
    }
}
