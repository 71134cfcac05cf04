import AssayCore
import AssayKube
import Suites

/// Which suite a run belongs to (namespace and name), so that a read of the run's results can be
/// authorized against the suite's namespace. A run id is `<suite uid>-g<generation>`: the uid is
/// looked up in the controller's suite cache (complete while this replica leads), else in a list
/// of every suite, taken again at most every ``relistInterval`` when a uid is not found (a standby
/// has no cache, and a suite may be newer than the last list).
final class SuiteDirectory: Sendable {
    /// A run of a suite this directory does not know is a 404 until the next list; two seconds
    /// bounds both that delay and the lists a stream of made-up run ids can cause. (Our choice.)
    static let relistInterval = Duration.seconds(2)

    struct Suite: Sendable, Hashable {
        var namespace: String
        var name: String
    }

    private struct Listed {
        var at: ContinuousClock.Instant?
        var byUID: [String: Suite] = [:]
    }

    private let cache: ObjectCache
    private let client: KubeClient
    private let listed = Guarded(Listed())

    init(cache: ObjectCache, client: KubeClient) {
        self.cache = cache
        self.client = client
    }

    /// The suite run `id` belongs to, `nil` when it is not a suite's run or no suite has its uid.
    func suite(of id: RunID) async -> Suite? {
        guard let uid = id.resourceUID else { return nil }
        if let key = cache.key(uid: uid) {
            return Suite(namespace: key.namespace ?? KubeConnection.defaultNamespace, name: key.name)
        }
        let now = ContinuousClock.now
        let (known, due) = listed.withLock { listed in
            (listed.byUID[uid], listed.at.map { now - $0 >= Self.relistInterval } ?? true)
        }
        if let known { return known }
        guard due else { return nil }
        listed.withLock { $0.at = now }
        guard let all = try? await client.listAll(.evaluationSuite) else { return nil }
        var byUID: [String: Suite] = [:]
        for object in all.items {
            guard let uid = object.uid, let name = object.name else { continue }
            byUID[uid] = Suite(namespace: object.namespace ?? KubeConnection.defaultNamespace, name: name)
        }
        listed.withLock { $0.byUID = byUID }
        return byUID[uid]
    }
}
