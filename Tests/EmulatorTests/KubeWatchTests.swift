import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator watches")
struct KubeWatchTests {
    let path = "/api/v1/namespaces/default/configmaps"

    func makeServer(bookmarkInterval: Double = 60) -> APIServer {
        var configuration = APIServer.Configuration()
        configuration.bookmarkInterval = bookmarkInterval
        configuration.idleCheckInterval = 0.05
        return APIServer(store: Store(), configuration: configuration)
    }

    @Test("a watch from a resourceVersion replays later changes, then streams live ones")
    func replayThenLive() throws {
        let server = makeServer()
        let listRV = try #require(server.call("GET", path).body.at(["metadata", "resourceVersion"])?.stringValue)
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("a"))
        let watch = server.openWatch(path + "?watch=true&resourceVersion=\(listRV)")
        #expect(watch.status == 200)
        let replayed = try #require(watch.next())
        #expect(replayed["type"] == "ADDED")
        #expect(replayed.at(["object", "metadata", "name"]) == "a")
        _ = server.call(
            "PATCH", path + "/a", body: ["data": ["k": "changed"]],
            headers: ["content-type": "application/merge-patch+json"])
        let modified = try #require(watch.next())
        #expect(modified["type"] == "MODIFIED")
        #expect(modified.at(["object", "data", "k"]) == "changed")
        _ = server.call("DELETE", path + "/a")
        #expect(watch.next()?["type"] == "DELETED")
    }

    @Test("a watch without a resourceVersion starts with the current objects as ADDED")
    func initialState() throws {
        let server = makeServer()
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("a"))
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("b"))
        let watch = server.openWatch(path + "?watch=1")
        #expect(watch.next()?.at(["object", "metadata", "name"]) == "a")
        #expect(watch.next()?.at(["object", "metadata", "name"]) == "b")
    }

    @Test("a watch from an expired resourceVersion gets one ERROR event with a 410 Status of reason Expired")
    func expiredHistory() throws {
        let server = makeServer()
        let created = server.call("POST", path, body: KubeObjectFixtures.configMap("a"))
        let old = try #require(created.body.at(["metadata", "resourceVersion"])?.stringValue)
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("b"))
        #expect(server.call("POST", "/emulator/expire-history").status == 200)
        let watch = server.openWatch(path + "?watch=true&resourceVersion=\(old)")
        #expect(watch.status == 200)
        let event = try #require(watch.next())
        #expect(event["type"] == "ERROR")
        #expect(event.at(["object", "reason"]) == "Expired")
        #expect(event.at(["object", "code"]) == 410)
        #expect(event.at(["object", "message"])?.stringValue?.hasPrefix("too old resource version: ") == true)
        #expect(watch.next() == nil)
    }

    @Test("the bounded history expires old versions by itself")
    func boundedHistory() throws {
        let store = Store(historyCapacity: 2)
        let first = try store.create(
            KubeObjectFixtures.configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a"))
        for name in ["b", "c", "d"] {
            _ = try store.create(
                KubeObjectFixtures.configMaps, namespace: "default", object: KubeObjectFixtures.configMap(name))
        }
        let version = try ResourceVersion.parse(first.object.at(["metadata", "resourceVersion"])?.stringValue)
        let filter = WatchFilter(
            resource: KubeObjectFixtures.configMaps.groupResource, namespace: nil, labels: .everything,
            fields: .everything)
        let error = #expect(throws: APIError.self) { _ = try store.watch(filter, from: version) }
        #expect(error?.code == 410)
    }

    @Test("the drop-watches hook ends open watches")
    func dropWatches() throws {
        let server = makeServer()
        let watch = server.openWatch(path + "?watch=true&resourceVersion=\(server.store.currentResourceVersion)")
        #expect(server.store.hub.count == 1)
        let dropped = server.call("POST", "/emulator/drop-watches")
        #expect(dropped.body["dropped"] == 1)
        #expect(watch.next() == nil)
    }

    @Test("watches that allow bookmarks receive BOOKMARK events with the current resourceVersion")
    func bookmarks() throws {
        let server = makeServer(bookmarkInterval: 0.1)
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("a"))
        let current = server.store.currentResourceVersion.description
        let watch = server.openWatch(path + "?watch=true&allowWatchBookmarks=true&resourceVersion=\(current)")
        let event = try #require(watch.next())
        #expect(event["type"] == "BOOKMARK")
        #expect(event.at(["object", "metadata", "resourceVersion"]) == .string(current))
        #expect(event.at(["object", "kind"]) == "ConfigMap")
    }

    @Test("label-selected watches turn selector transitions into ADDED and DELETED")
    func selectorTransitions() throws {
        let server = makeServer()
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("a", labels: ["app": "other"]))
        let watch = server.openWatch(
            path + "?watch=true&labelSelector=app%3Dweb&resourceVersion=\(server.store.currentResourceVersion)")
        let merge = ["content-type": "application/merge-patch+json"]
        _ = server.call("PATCH", path + "/a", body: ["metadata": ["labels": ["app": "web"]]], headers: merge)
        #expect(watch.next()?["type"] == "ADDED")
        _ = server.call("PATCH", path + "/a", body: ["metadata": ["labels": ["app": "gone"]]], headers: merge)
        #expect(watch.next()?["type"] == "DELETED")
    }

    @Test("watches with a Table Accept header carry one-row Tables")
    func tableWatch() throws {
        let server = makeServer()
        let watch = server.openWatch(
            path + "?watch=true&resourceVersion=\(server.store.currentResourceVersion)",
            headers: ["accept": "application/json;as=Table;g=meta.k8s.io;v=v1"])
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("a"))
        let event = try #require(watch.next())
        #expect(event.at(["object", "kind"]) == "Table")
        #expect(event.at(["object", "rows"])?.arrayValue?.first?["cells"]?.arrayValue?.first == "a")
    }

    @Test("a watch ends when its timeoutSeconds pass")
    func timeout() {
        let server = makeServer()
        let watch = server.openWatch(path + "?watch=true&timeoutSeconds=0.2&resourceVersion=1")
        #expect(watch.next() == nil)
    }

    @Test("sendInitialEvents ends the initial ADDED events with an initial-events-end bookmark")
    func initialEventsEnd() throws {
        let server = makeServer()
        _ = server.call("POST", path, body: KubeObjectFixtures.configMap("a"))
        let watch = server.openWatch(path + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true")
        #expect(watch.next()?["type"] == "ADDED")
        let end = try #require(watch.next())
        #expect(end["type"] == "BOOKMARK")
        #expect(end.at(["object", "metadata", "annotations", "k8s.io/initial-events-end"]) == "true")
    }
}
