import AssayCore
import TestSupport
import Testing

@testable import AssayKube

@Suite("ObjectCache")
struct KubeObjectCacheTests {
    @Test("events add, replace and remove objects by namespace and name; synced marks the first full list")
    func appliesEvents() {
        let cache = ObjectCache()
        #expect(!cache.isSynced)
        cache.apply(.added(.configMap("a", rv: "1")))
        cache.apply(.added(.configMap("b", rv: "2", namespace: "other")))
        cache.apply(.synced)
        cache.apply(.modified(.configMap("a", rv: "3")))
        #expect(cache.isSynced)
        #expect(cache.count == 2)
        #expect(cache.get(name: "a", namespace: "default")?.resourceVersion == "3")
        #expect(cache.list(namespace: "other").map(\.name) == ["b"])
        cache.apply(.deleted(.configMap("a", rv: "4")))
        #expect(cache.get(name: "a", namespace: "default") == nil)
        #expect(cache.list().map(\.name) == ["b"])
    }

    @Test("label filters match objects whose labels include every pair")
    func labelFilter() {
        let cache = ObjectCache()
        var web = KubeObject.configMap("web", rv: "1")
        web.labels = ["app": "web", "tier": "front"]
        var db = KubeObject.configMap("db", rv: "1")
        db.labels = ["app": "db"]
        cache.apply(.added(web))
        cache.apply(.added(db))
        #expect(cache.list(namespace: nil, labels: ["app": "web"]).map(\.name) == ["web"])
        #expect(cache.list(namespace: nil, labels: ["tier": "back"]).isEmpty)
    }

    @Test("an object is kept as its projection and read back equal to it; versions, uids and keys need no read")
    func projection() throws {
        let cache = ObjectCache { object in
            var trimmed = object
            trimmed["data"] = nil
            return trimmed
        }
        var object = KubeObject.configMap("a", rv: "7")
        var metadata = try #require(object["metadata"]?.objectValue)
        metadata["uid"] = "u-1"
        object["metadata"] = .object(metadata)
        object["data"] = ["big": "value", "n": 1.5, "text": "é ✓ \"quoted\"\n"]
        object["spec"] = ["replicas": 3, "list": [true, .null, ["x": 0.1]]]
        cache.apply(.added(object))
        cache.apply(.added(.configMap("b", rv: "2", namespace: "other")))
        var expected = object
        expected["data"] = nil
        #expect(cache.get(name: "a", namespace: "default") == expected)
        #expect(cache.resourceVersion(ObjectKey(namespace: "default", name: "a")) == "7")
        #expect(cache.contains(ObjectKey(namespace: "other", name: "b")))
        #expect(!cache.contains(ObjectKey(namespace: "default", name: "b")))
        #expect(cache.key(uid: "u-1") == ObjectKey(namespace: "default", name: "a"))
        #expect(cache.key(uid: "u-2") == nil)
        #expect(cache.keys().map(\.description) == ["default/a", "other/b"])
    }
}

@Suite("ClientRateLimiter")
struct KubeClientRateLimiterTests {
    static let t0 = TestTime.origin

    @Test("the bucket allows a burst of 10, then one request per 200 ms at the default 5 qps")
    func defaults() {
        var bucket = GCRA(perSecond: ClientRateLimiter.defaultQPS, burst: ClientRateLimiter.defaultBurst)
        let burst = (0..<10).map { _ in bucket.take(now: Self.t0) }
        #expect(burst.allSatisfy { $0 == .zero })
        #expect(bucket.take(now: Self.t0) == .milliseconds(200))
        #expect(bucket.take(now: Self.t0) == .milliseconds(400))
        #expect(bucket.take(now: Self.t0 + .seconds(1)) == .zero, "reserved tokens are paid back first")
    }

    @Test(
        "refill never exceeds the burst",
        arguments: [(Duration.seconds(100), 3), (.milliseconds(400), 2)])
    func refillCap(idle: Duration, free: Int) {
        var bucket = GCRA(perSecond: 5, burst: 3)
        for _ in 0..<3 { _ = bucket.take(now: Self.t0) }
        let waits = (0..<4).map { _ in bucket.take(now: Self.t0 + idle) }
        #expect(waits.filter { $0 == .zero }.count == free)
    }

    @Test("acquire waits on the injected clock for the reserved token")
    func acquireWaits() async throws {
        let clock = ManualClock(sleeping: .advancesTime)
        let limiter = ClientRateLimiter(qps: 2, burst: 1, clock: clock)
        try await limiter.acquire()
        try await limiter.acquire()
        try await limiter.acquire()
        #expect(clock.sleeps == [.milliseconds(500), .milliseconds(500)])
    }

    @Test("qps 0 disables limiting")
    func disabled() async throws {
        let clock = ManualClock(sleeping: .advancesTime)
        let limiter = ClientRateLimiter(qps: 0, burst: 1, clock: clock)
        for _ in 0..<100 { try await limiter.acquire() }
        #expect(clock.sleeps.isEmpty)
    }
}
