import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayKube

/// The Lease protocol against the Kubernetes API emulator, with short timings.
@Suite("LeaderElector over a real Lease", .serialized)
struct LeaderElectorTests {
    static let leaseName = "assay-operator-leader"
    static let timings = LeaderElectionMachine.Configuration(
        leaseDuration: .milliseconds(1500), renewDeadline: .milliseconds(1000), retryPeriod: .milliseconds(200))

    /// A lease long enough that a takeover well before it can only come from a release, however
    /// slow a loaded machine is.
    static let longLease = LeaderElectionMachine.Configuration(
        leaseDuration: .seconds(10), renewDeadline: .seconds(8), retryPeriod: .milliseconds(200))

    static func elector(
        _ client: KubeClient, _ identity: String, leading: LeadershipLog,
        timings: LeaderElectionMachine.Configuration = timings
    ) -> LeaderElector {
        LeaderElector(
            client: client, leaseName: Self.leaseName, namespace: "default", identity: identity, configuration: timings,
            clock: SystemClock(), wallClock: { Date().timeIntervalSince1970 },
            logger: Logger(label: "test", minimumLevel: .error),
            onLeadership: { isLeader in leading.append("\(identity):\(isLeader)") })
    }

    static func holder(_ client: KubeClient) async -> String? {
        try? await client.get(.lease, name: Self.leaseName, namespace: "default")["spec"]?["holderIdentity"]?
            .stringValue
    }

    @Test("one of two replicas leads; when it shuts down it releases the Lease and the other leads at once")
    func handover() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        // The emulator's client has no client-side rate limit: two electors retrying every 200 ms
        // would queue behind client-go's default 5 requests/s.
        let client = emulator.client
        let log = LeadershipLog()
        let first = Task {
            await Self.elector(client, "a", leading: log, timings: Self.longLease).run { await Self.lead() }
        }
        try await eventually("a to lead", within: .seconds(10), every: .milliseconds(20)) { log.entries == ["a:true"] }
        let second = Task {
            await Self.elector(client, "b", leading: log, timings: Self.longLease).run { await Self.lead() }
        }
        // b stays a follower while a renews.
        try await Task.sleep(for: .milliseconds(600))
        #expect(log.entries == ["a:true"])
        let released = ContinuousClock.now
        first.cancel()
        #expect(await first.value == .cancelled)
        let stopped = ContinuousClock.now - released
        try await eventually("b to take over", within: .seconds(10), every: .milliseconds(20)) {
            log.entries.last == "b:true"
        }
        // Released, not expired: b took over well within one lease duration.
        #expect(
            ContinuousClock.now - released < Self.longLease.leaseDuration / 2,
            "a stopped after \(stopped), b took over after \(ContinuousClock.now - released)")
        #expect(await Self.holder(client) == "b")
        second.cancel()
        _ = await second.value
    }

    @Test("a holder that stops renewing loses the Lease after its duration")
    func deadHolder() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        // The emulator's client has no client-side rate limit: two electors retrying every 200 ms
        // would queue behind client-go's default 5 requests/s.
        let client = emulator.client
        let now = KubeTimestamp.formatMicro(Date().timeIntervalSince1970)
        _ = try await client.create(
            KubeObject(
                .lease, name: Self.leaseName, namespace: "default",
                body: JSONObject([
                    ("spec", ["holderIdentity": "crashed", "leaseDurationSeconds": 2, "renewTime": .string(now)])
                ])), as: .lease)
        let log = LeadershipLog()
        let start = ContinuousClock.now
        let task = Task { await Self.elector(client, "b", leading: log).run { await Self.lead() } }
        try await eventually("b to lead", within: .seconds(10), every: .milliseconds(20)) { log.entries == ["b:true"] }
        let waited = ContinuousClock.now - start
        #expect(waited >= Self.timings.leaseDuration)
        #expect(waited < Self.timings.leaseDuration + .seconds(3))
        let lease = try await client.get(.lease, name: Self.leaseName, namespace: "default")
        #expect(lease["spec"]?["holderIdentity"] == "b")
        #expect(lease["spec"]?["leaseTransitions"] == 1)
        task.cancel()
        _ = await task.value
    }

    @Test("a leader that sees another holder stops leading at once and reports the lost Lease")
    func lostLease() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        // The emulator's client has no client-side rate limit: two electors retrying every 200 ms
        // would queue behind client-go's default 5 requests/s.
        let client = emulator.client
        let log = LeadershipLog()
        let stopped = LeadershipLog()
        let task = Task {
            await Self.elector(client, "a", leading: log).run {
                await Self.lead()
                stopped.append("stopped")
            }
        }
        try await eventually("a to lead", within: .seconds(10), every: .milliseconds(20)) { log.entries == ["a:true"] }
        // Another replica force-writes the Lease (as after a network partition healed).
        var lease = try await client.get(.lease, name: Self.leaseName, namespace: "default")
        lease["spec"] = [
            "holderIdentity": "usurper", "leaseDurationSeconds": 15,
            "renewTime": .string(KubeTimestamp.formatMicro(Date().timeIntervalSince1970)),
        ]
        _ = try await client.replace(lease, as: .lease)
        #expect(await task.value == .lostLease)
        #expect(stopped.entries == ["stopped"])
        #expect(log.entries == ["a:true", "a:false"])
    }

    /// What a leader does: nothing, until cancelled.
    static func lead() async {
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
    }
}

/// What a test's electors report, in order.
final class LeadershipLog: Sendable {
    private let lines = Guarded<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var entries: [String] { lines.withLock { $0 } }
}
