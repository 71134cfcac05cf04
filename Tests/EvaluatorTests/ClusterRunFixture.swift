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

/// A suite in the Kubernetes API emulator, its run seeded in a real Redis, and `assay-evaluator
/// serve` processes in worker mode, started the way the operator's Deployment starts them.
final class ClusterRunFixture: Sendable {
    static var available: Bool { RedisServer.isInstalled && EmulatorProcess.executable != nil }

    let redis: RedisServer
    let kube: EmulatorProcess
    let redisClient: RedisClient
    let suite: EvaluationSuite
    let runID: RunID
    let queue: RedisWorkQueue

    /// Creates suite `name` with `count` cases whose outputs are given (no provider is called);
    /// every tenth fails its criterion.
    init(name: String, count: Int) async throws {
        redis = try await RedisServer.start()
        kube = try EmulatorProcess()
        try await kube.installCRD(
            at: Repository.path("config/crd/evaluationsuites.yaml"), serving: .evaluationSuite)
        redisClient = RedisClient(url: try RedisURL(parsing: redis.urlString))
        let cases = (0..<count).map { index in
            "{\"id\": \"case-\(index)\", \"input\": \"q\(index)\", \"output\": \"\(index % 10 == 0 ? "wrong" : "answer")\"}"
        }
        let json = try JSONParser.parse(
            """
            {"apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite",
             "metadata": {"name": "\(name)", "namespace": "default"},
             "spec": {
               "targets": [{"name": "given", "prompt": "{{input}}", "providers": [{"type": "openai", "model": "m"}]}],
               "dataset": {"cases": [\(cases.joined(separator: ","))]},
               "criteria": [{"type": "contains", "value": "answer"}],
               "passThreshold": 0.5}}
            """)
        let created = try await kube.client.create(KubeObject(json), as: .evaluationSuite)
        suite = try EvaluationSuite.decode(created.json)
        runID = RunID.resource(uid: try #require(created.uid), generation: try #require(created.generation))
        queue = RedisWorkQueue(redis: redisClient, configuration: .init(run: runID, consumer: "test"))
    }

    deinit { kube.stop() }

    var cases: [SuiteCase] {
        if case .inline(let cases) = suite.spec.dataset { return cases }
        return []
    }

    /// Seeds the run as the operator does, before or after the evaluators start.
    func seed() async throws {
        try await queue.prepare(
            RunPlan(
                id: runID, suiteName: suite.metadata.name, cases: cases, targets: suite.spec.targets.map(\.name),
                criteria: suite.spec.criterionNames, passThreshold: suite.spec.passThreshold))
    }

    /// Sets `status.runID` as the operator does when it starts a run; returns the resourceVersion.
    @discardableResult
    func markRunStarted(_ run: RunID? = nil) async throws -> String {
        let patched = try await kube.client.patchStatus(
            .evaluationSuite, name: suite.metadata.name, namespace: "default",
            .merge(["status": ["runID": .string((run ?? runID).rawValue)]]))
        return patched.resourceVersion ?? ""
    }

    /// `count` worker-mode evaluators on the run, named `evaluator-<first>`...
    func startWorkers(
        _ count: Int, first: Int = 1, run: RunID? = nil, suite suiteName: String? = nil, _ extra: [String] = []
    ) throws -> [ChildProcess] {
        try (first..<first + count).map { index in
            try ChildProcess(
                built: BuiltExecutable.evaluator,
                arguments: [
                    "serve", "--port", "0", "--redis", redis.urlString, "--run-id", (run ?? runID).rawValue, "--suite",
                    suiteName ?? suite.metadata.name, "--suite-namespace", "default", "--consumer",
                    "evaluator-\(index)",
                    "--kubeconfig", kube.kubeconfig, "--log-level", "info",
                ] + extra,
                environment: ["KUBECONFIG": ""])
        }
    }

    func status() async throws -> JSONValue? {
        try await kube.client.get(.evaluationSuite, name: suite.metadata.name, namespace: "default")["status"]
    }

    /// Waits until the run has `count` results in Redis.
    func waitForRecorded(_ count: Int, timeout: Duration = .seconds(30)) async throws {
        try await eventually("\(count) results", within: timeout, every: .milliseconds(10)) {
            try await redisClient.send(["HLEN", queue.keys.recorded]).integer ?? 0 >= count
        }
    }

    /// Waits until the suite's status says every case is completed; returns that status.
    func waitForCompletedStatus(timeout: Duration = .seconds(60)) async throws -> JSONValue {
        var completed: JSONValue?
        try await eventually("a completed status", within: timeout) {
            completed = try await status()
            return completed?["progress"]?["completed"]?.doubleValue == Double(cases.count)
        }
        return try #require(completed)
    }

    /// The port a serve process listens on, from its start-up log.
    static func port(of process: ChildProcess) async throws -> Int {
        let line = try await process.waitForLine("the listening log line") { $0.contains("\"listening\"") }
        let address = try #require(line.firstMatch(of: /"address":"127\.0\.0\.1:(\d+)"/))
        return Int(address.1)!
    }

    static func stop(_ processes: [ChildProcess]) async throws {
        for process in processes where process.isRunning { process.signal(SIGTERM) }
        for process in processes { _ = try await process.waitForExit() }
    }
}
