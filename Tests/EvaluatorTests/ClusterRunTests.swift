import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayKube
@testable import AssayRedis
@testable import AssayResilience
@testable import Evaluator
@testable import Scoring
@testable import Suites

@Suite(
    "Worker mode of assay-evaluator serve", .serialized,
    .enabled(
        if: ClusterRunFixture.available,
        "needs redis-server on PATH and assay-kube-emulator built next to the tests (swift build --build-tests)"))
struct ClusterRunTests {
    @Test(
        "two worker-mode evaluators finish a seeded run: the status shows every case completed, and Redis counts each once"
    )
    func twoWorkersFinishTheRun() async throws {
        let fixture = try await ClusterRunFixture(name: "two-workers", count: 600)
        try await fixture.markRunStarted()
        // The evaluators start before the run is seeded and wait for it.
        let workers = try fixture.startWorkers(2, ["--concurrency", "4", "--case-delay-ms", "10"])
        for worker in workers {
            _ = try await worker.waitForLine("waiting for the run") { $0.contains("waiting for the run to be seeded") }
        }
        try await fixture.seed()

        let status = try await fixture.waitForCompletedStatus()
        #expect(status["progress"]?["total"]?.doubleValue == 600)
        #expect(status["progress"]?["summary"]?.stringValue == "600/600")
        #expect(status["progress"]?["failed"]?.doubleValue == 60)
        #expect(status["passRate"]?.doubleValue == 0.9)
        // statsmodels proportion_confint(540, 600, method="wilson").
        let interval = status["targets"]?.arrayValue?.first?["passRateInterval"]
        #expect(
            abs((interval?["low"]?.doubleValue ?? 0) - 0.8733923087771034) < 1e-9, "\(String(describing: interval))")
        #expect(abs((interval?["high"]?.doubleValue ?? 0) - 0.9215183304119361) < 1e-9)
        #expect(interval?["method"] == "wilson" && interval?["level"] == 0.95)
        #expect(status["runID"]?.stringValue == fixture.runID.rawValue)
        #expect(
            status["breakers"] == [["target": "given", "provider": "openai", "state": "closed"]],
            "\(String(describing: status["breakers"]))")

        let keys = fixture.queue.keys
        #expect(try await fixture.redisClient.send(["HLEN", keys.recorded]).integer == 600)
        let results = try await fixture.queue.results(offset: 0, limit: 700)
        #expect(results.count == 600)
        #expect(Set(results.map(\.caseID)).count == 600)
        let byConsumer = Dictionary(grouping: results, by: \.consumer).mapValues(\.count)
        #expect(byConsumer.keys.sorted() == ["evaluator-1", "evaluator-2"], "\(byConsumer)")
        let aggregates = try #require(try await fixture.queue.aggregates())
        #expect(aggregates.recorded == 600 && aggregates.isComplete)

        // The run is over; the evaluators keep serving the API.
        for worker in workers {
            _ = try await worker.waitForLine("the end of the run") { $0.contains("the run is over") }
            let port = try await ClusterRunFixture.port(of: worker)
            #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/readyz").status == 200)
        }
        try await ClusterRunFixture.stop(workers)
        #expect(workers.allSatisfy { $0.termination == .exited(0) })
    }

    @Test("three evaluators with a 1 s status interval write the status at most once a second, plus the final write")
    func statusWritesAreCoalesced() async throws {
        let count = 120
        let fixture = try await ClusterRunFixture(name: "coalesced", count: count)
        try await fixture.seed()
        let resourceVersion = try await fixture.markRunStarted()
        let events = try await fixture.kube.client.watch(
            .evaluationSuite, namespace: "default", resourceVersion: resourceVersion, timeoutSeconds: 90)

        // 3 evaluators, one case in flight each, 150 ms a case: about 6 s of run, so evaluators that each
        // wrote every interval would write about three times as often as the bound allows. They join
        // one after another, as pods an autoscaler adds do, so their intervals are out of phase.
        let options = ["--concurrency", "1", "--case-delay-ms", "150", "--status-interval-seconds", "1"]
        let started = ContinuousClock.now
        var workers = try fixture.startWorkers(1, options)
        for (index, recorded) in [(2, 4), (3, 10)] {
            try await fixture.waitForRecorded(recorded)
            workers += try fixture.startWorkers(1, first: index, options)
        }
        var writes: [Int] = []
        for try await event in events {
            guard case .modified(let object) = event, object.name == fixture.suite.metadata.name else { continue }
            let completed = Int(object["status"]?["progress"]?["completed"]?.doubleValue ?? -1)
            writes.append(completed)
            if completed == count { break }
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        #expect(writes.last == count, "the watch saw the final write: \(writes)")
        #expect(writes.count >= 2, "progress was written while the run went on, not only at its end: \(writes)")
        #expect(Double(writes.count) <= seconds / 1 + 2, "\(writes.count) writes in \(seconds) s: \(writes)")
        #expect(writes == writes.sorted(), "progress never goes backwards: \(writes)")

        // Every evaluator's final write carries the same counts, so the server sees no change.
        for worker in workers {
            _ = try await worker.waitForLine("the end of the run") { $0.contains("the run is over") }
        }
        let after = try await fixture.kube.client.get(.evaluationSuite, name: "coalesced", namespace: "default")
        #expect(after["status"]?["progress"]?["completed"]?.doubleValue == Double(count))
        try await ClusterRunFixture.stop(workers)
    }

    @Test("GET /metrics of a worker shows the run's backlog, and it falls to 0 when the run is complete")
    func backlogGauge() async throws {
        let count = 40
        let fixture = try await ClusterRunFixture(name: "backlog", count: count)
        try await fixture.seed()
        try await fixture.markRunStarted()
        let workers = try fixture.startWorkers(
            1, ["--concurrency", "1", "--case-delay-ms", "50", "--status-interval-seconds", "0.2"])
        let metricsURL = "http://127.0.0.1:\(try await ClusterRunFixture.port(of: workers[0]))/metrics"
        let series = "assay_run_backlog{suite=\"backlog\",run=\"\(fixture.runID.rawValue)\"}"
        var seen: [Double] = []
        try await eventually("a backlog of 0", within: .seconds(60)) {
            let metrics = try await LocalHTTP.get(metricsURL).body
            let line = metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            if let value = line.flatMap({ Double($0.dropFirst(series.count + 1)) }), value != seen.last {
                seen.append(value)
            }
            return seen.last == 0
        }
        #expect(seen.count >= 2 && seen.first! > 0, "the backlog was reported before it reached 0: \(seen)")
        #expect(seen == seen.sorted(by: >), "the backlog only falls: \(seen)")
        #expect(seen.allSatisfy { $0 <= Double(count) })
        let metrics = try await LocalHTTP.get(metricsURL).body
        #expect(metrics.contains("# TYPE assay_run_backlog gauge"))
        // The pass rate with its Wilson bounds (36 of 40 at 95%), in an exposition promtool accepts.
        let lines = metrics.split(separator: "\n").map(String.init)
        func sample(_ bound: String) -> Double? {
            let series = "assay_run_pass_rate{suite=\"backlog\",target=\"given\",bound=\"\(bound)\"} "
            return lines.first { $0.hasPrefix(series) }.flatMap { Double($0.dropFirst(series.count)) }
        }
        #expect(sample("estimate") == 0.9, "\(lines.filter { $0.contains("pass_rate") })")
        #expect(abs((sample("lower") ?? 0) - 0.7694822477247771) < 1e-9)
        #expect(abs((sample("upper") ?? 0) - 0.9604204713173936) < 1e-9)
        let (promtool, complaints) = try promtoolCheck(Array(metrics.utf8))
        #expect(promtool == 0, "promtool: \(complaints)")
        try await ClusterRunFixture.stop(workers)
    }

    @Test("a suite the operator has moved to another run gets no progress from this run's evaluator")
    func statusWriteIsCompareAndSwap() async throws {
        let fixture = try await ClusterRunFixture(name: "moved", count: 20)
        try await fixture.seed()
        let other = try #require(RunID("another-run-g9"))
        try await fixture.markRunStarted(other)
        let workers = try fixture.startWorkers(1, ["--status-interval-seconds", "0.2", "--log-level", "debug"])
        _ = try await workers[0].waitForLine("the end of the run") { $0.contains("the run is over") }
        #expect(workers[0].output.contains { $0.contains("the suite is no longer on this run") })
        let status = try #require(try await fixture.status())
        #expect(status["runID"]?.stringValue == other.rawValue)
        #expect(status["progress"] == nil, "\(status)")
        try await ClusterRunFixture.stop(workers)
    }

    @Test(
        "SIGTERM stops a worker mid-run and the evaluator exits 0; another evaluator takes over its cases and finishes"
    )
    func sigtermStopsTheWorker() async throws {
        let fixture = try await ClusterRunFixture(name: "sigterm", count: 40)
        try await fixture.seed()
        try await fixture.markRunStarted()
        let options = ["--concurrency", "2", "--case-delay-ms", "200", "--claim-timeout-ms", "300"]
        let first = try fixture.startWorkers(1, options)
        try await fixture.waitForRecorded(4)
        first[0].signal(SIGTERM)
        #expect(try await first[0].waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(first[0].output.contains { $0.contains("worker stopped before the run was over") })
        #expect(try await fixture.redisClient.send(["HLEN", fixture.queue.keys.recorded]).integer ?? 0 < 40)

        let second = try fixture.startWorkers(1, first: 2, options)
        let status = try await fixture.waitForCompletedStatus()
        #expect(status["progress"]?["summary"]?.stringValue == "40/40")
        #expect(try await fixture.redisClient.send(["HLEN", fixture.queue.keys.recorded]).integer == 40)
        try await ClusterRunFixture.stop(second)
    }

    @Test(
        "an evaluator whose run is an older generation of its suite claims nothing, and one whose suite is gone stops working; both keep serving"
    )
    func supersededRunGetsNoWork() async throws {
        let fixture = try await ClusterRunFixture(name: "edited", count: 20)
        try await fixture.seed()
        try await fixture.markRunStarted()
        // The suite is edited: generation 2, so the seeded run (generation 1) is no longer its run.
        let edited = try await fixture.kube.client.patch(
            .evaluationSuite, name: "edited", namespace: "default", .merge(["spec": ["passThreshold": 0.75]]))
        #expect(edited.generation == 2)

        let stale = try fixture.startWorkers(1)
        _ = try await stale[0].waitForLine("the superseded log line") { $0.contains("moved on to a newer generation") }
        let gone = try fixture.startWorkers(1, suite: "never-created")
        _ = try await gone[0].waitForLine("the deleted log line") { $0.contains("the suite was deleted") }

        let keys = fixture.queue.keys
        #expect(try await fixture.redisClient.send(["HLEN", keys.recorded]).integer == 0)
        let consumers = try await fixture.redisClient.send([
            "XINFO", "CONSUMERS", keys.cases, RedisWorkQueue.Configuration.group,
        ])
        #expect(consumers.array?.isEmpty == true, "no evaluator joined the run's consumer group: \(consumers)")
        #expect(try await fixture.redisClient.send(["EXISTS", keys.statusWriter]).integer == 0)
        let status = try #require(try await fixture.status())
        #expect(status["progress"] == nil, "no progress was written: \(status)")
        for worker in stale + gone {
            let port = try await ClusterRunFixture.port(of: worker)
            #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/readyz").status == 200)
        }
        try await ClusterRunFixture.stop(stale + gone)
    }
}

@Suite("Worker mode's flags")
struct ClusterRunFlagTests {
    @Test("worker mode without --redis exits 2 with a message naming --redis")
    func workerModeNeedsRedis() async throws {
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["serve", "--port", "0", "--run-id", "abc-g1", "--suite", "s"],
            environment: ["ASSAY_REDIS_URL": ""])
        #expect(try await process.waitForExit() == .exited(2))
        #expect(process.output.joined().contains("--redis"), "\(process.output)")
    }

    @Test("a malformed --run-id exits 2 with a message naming --run-id")
    func malformedRunID() async throws {
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: [
                "serve", "--port", "0", "--run-id", "not a run/id", "--suite", "s", "--redis", "redis://127.0.0.1:1",
            ])
        #expect(try await process.waitForExit() == .exited(2))
        #expect(process.output.joined().contains("--run-id"), "\(process.output)")
    }

    @Test("--suite without --run-id exits 2 with a message naming --run-id")
    func suiteNeedsRunID() async throws {
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: ["serve", "--port", "0", "--suite", "s"],
            environment: ["ASSAY_RUN_ID": ""])
        #expect(try await process.waitForExit() == .exited(2))
        #expect(process.output.joined().contains("--run-id"), "\(process.output)")
    }

    @Test("--help lists the worker-mode options with their environment variables")
    func helpListsWorkerOptions() async throws {
        let process = try ChildProcess(built: BuiltExecutable.evaluator, arguments: ["serve", "--help"])
        #expect(try await process.waitForExit() == .exited(0))
        let text = process.output.joined(separator: "\n")
        for (flag, variable) in [
            ("--run-id", "ASSAY_RUN_ID"), ("--suite", "ASSAY_SUITE"), ("--suite-namespace", "ASSAY_SUITE_NAMESPACE"),
            ("--consumer", "ASSAY_CONSUMER"), ("--concurrency", "ASSAY_CONCURRENCY"),
            ("--kubeconfig", "ASSAY_KUBECONFIG"),
            ("--status-interval-seconds", "ASSAY_STATUS_INTERVAL_SECONDS"),
            ("--claim-timeout-ms", "ASSAY_CLAIM_TIMEOUT_MS"),
        ] {
            #expect(text.contains(flag) && text.contains(variable), "\(flag)")
        }
    }
}

@Suite("Worker mode's status and backlog")
struct ClusterRunStatusTests {
    static func aggregates(total: Int, recorded: Int, passed: Int, cancelled: Bool = false) -> RunAggregates {
        let info = RunInfo(
            id: RunID("r-g1")!, suiteName: "s", total: total, targets: ["t"], criteria: ["c"], passThreshold: 0.5)
        var counters: [String: Double] = [:]
        counters["cases"] = Double(recorded)
        counters["passed"] = Double(passed)
        return RunAggregates(info: info, counters: counters, samples: [:], seeded: true, cancelled: cancelled)
    }

    @Test("the status patch tests the run id first, then adds each progress member")
    func patchTestsRunIDFirst() throws {
        let progress = SuiteProgress(
            counts: .init(total: 4, completed: 2, passed: 1, failed: 1), passRate: 0.5,
            breakers: [.init(target: "t", provider: "p", state: .halfOpen)])
        guard case .json(let operations) = SuiteStatusWriter.patch(runID: RunID("r-g1")!, progress: progress) else {
            Issue.record("not a JSON patch")
            return
        }
        #expect(operations.first == .test(path: "/status/runID", value: "r-g1"))
        #expect(operations.dropFirst().map(\.path) == progress.members.map { "/status/\($0.0)" })
        #expect(operations.count == 1 + progress.members.count)
    }

    @Test("the backlog is total minus recorded, and 0 once the run is complete or cancelled")
    func backlogValues() {
        #expect(RunBacklogMetrics.backlog(Self.aggregates(total: 10, recorded: 3, passed: 3)) == 7)
        #expect(RunBacklogMetrics.backlog(Self.aggregates(total: 10, recorded: 10, passed: 9)) == 0)
        #expect(RunBacklogMetrics.backlog(Self.aggregates(total: 10, recorded: 3, passed: 3, cancelled: true)) == 0)
    }

    @Test("breaker states are spelled as the CRD enumerates them, in the status as in metrics and logs")
    func breakerSpelling() {
        #expect(CircuitState.Kind.allCases.map(\.rawValue) == ["closed", "open", "halfOpen"])
        let breaker = SuiteProgress.Breaker(target: "t", provider: "p", state: .halfOpen)
        #expect(breaker.json["state"] == "halfOpen")
        #expect(SuiteProgress(status: ["breakers": [breaker.json]]).breakers == [breaker])
    }
}

extension JSONPatchOperation {
    fileprivate var path: String {
        switch self {
        case .add(let path, _), .remove(let path), .replace(let path, _), .move(_, let path), .copy(_, let path),
            .test(let path, _):
            path
        }
    }
}
