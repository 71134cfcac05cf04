import AssayCore
import AssayKube
import AssayRedis
import Foundation
import Suites
import TestSupport
import Testing

/// A whole installation on one machine for the end-to-end tests: the Kubernetes API emulator with
/// the CRD and a provider-key Secret, a real redis-server, the provider emulator, one or more
/// `assay-operator run` processes, and the local kubelet running the evaluator Deployments the
/// operator creates as real `assay-evaluator` processes.
struct OperatorFixture {
    static let apiKey = "sk-operator-e2e"
    /// Short timings so that a test sees a whole run, a takeover or a resync in seconds.
    static let operatorArguments = ["--progress-interval-seconds", "0.3", "--resync-seconds", "1"]
    static let leaseArguments = [
        "--lease-duration-seconds", "2", "--renew-deadline-seconds", "1.5", "--retry-period-seconds", "0.25",
    ]
    static let podEnvironment = [
        "ASSAY_STATUS_INTERVAL_SECONDS": "0.3", "ASSAY_CLAIM_TIMEOUT_MS": "1500", "ASSAY_LOG_LEVEL": "info",
    ]

    /// Why these tests cannot run here, if they cannot.
    static var missing: String? {
        if !EmulatorProcess.isAvailable { return "assay-kube-emulator or kubectl is missing" }
        if !RedisServer.isInstalled { return "redis-server is not on PATH" }
        if BuiltExecutable.path(BuiltExecutable.evaluator) == nil || OperatorProcess.executable == nil
            || BuiltExecutable.path(BuiltExecutable.providerEmulator) == nil
        {
            return "assay-evaluator, assay-operator or assay-provider-emulator is not built (swift build --build-tests)"
        }
        return nil
    }

    let directory: TemporaryDirectory
    let emulator: EmulatorProcess
    let redis: RedisServer
    let provider: ProviderEmulatorProcess
    let kubelet: LocalKubelet
    let operators: [OperatorProcess]

    var client: KubeClient { emulator.client }

    /// Sets everything up, runs `body`, and tears everything down (keeping the logs when `body`
    /// throws, and printing where they are).
    /// `kubeletNamespace` limits the local kubelet to one namespace: Deployments elsewhere get no pods.
    static func with(
        backend: KubeBackend = .emulator, operators count: Int = 1, leaderElect: Bool = false,
        podEnvironment: [String: String] = [:], operatorArguments extra: [String] = [],
        emulatorArguments: [String] = [], kubeletNamespace: String? = nil,
        _ body: (OperatorFixture) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory(prefix: "assay-operator-e2e")
        let emulator = try EmulatorProcess(backend: backend, extraArguments: emulatorArguments)
        var redis: RedisServer?
        var provider: ProviderEmulatorProcess?
        var kubelet: LocalKubelet?
        var operators: [OperatorProcess] = []
        func tearDown() async {
            for process in operators { _ = await process.terminate(grace: .seconds(5)) }
            await kubelet?.stop()
            provider?.stop()
            redis?.stop()
            emulator.stop()
        }
        do {
            redis = try await RedisServer.start()
            provider = try await ProviderEmulatorProcess.start(logFile: directory.file("provider.log"))
            let crd = try emulator.kubectl(["apply", "-f", Repository.path("config/crd/evaluationsuites.yaml")])
            try #require(crd.status == 0, "\(crd.combined)")
            try await emulator.waitUntilServed(.evaluationSuite, timeout: .seconds(30))
            let secret = try emulator.kubectl([
                "create", "secret", "generic", "llm-keys", "--from-literal=openai=\(apiKey)",
            ])
            try #require(secret.status == 0, "\(secret.combined)")
            kubelet = try await LocalKubelet.start(
                LocalKubelet.Configuration(
                    kubeconfig: emulator.kubeconfig,
                    evaluator: try #require(BuiltExecutable.path(BuiltExecutable.evaluator)),
                    logDirectory: directory.path,
                    environment: Self.podEnvironment.merging(podEnvironment) { $1 }, namespace: kubeletNamespace,
                    terminationGrace: .seconds(5)))
            for index in 0..<count {
                let process = try OperatorProcess(
                    kubeconfig: emulator.kubeconfig, redisURL: try #require(redis).urlString,
                    logDirectory: directory.path, podName: "assay-operator-\(index)", leaderElect: leaderElect,
                    arguments: operatorArguments + (leaderElect ? leaseArguments : []) + extra)
                operators.append(process)
            }
            for process in operators { try await process.waitUntilReady() }
            let fixture = OperatorFixture(
                directory: directory, emulator: emulator, redis: try #require(redis), provider: try #require(provider),
                kubelet: try #require(kubelet), operators: operators)
            try await body(fixture)
        } catch {
            print("end-to-end test (\(backend)) failed; logs kept in \(directory.path)")
            print(emulator.tail(30))
            for process in operators { print("--- \(process.podName)\n\(process.tail(30))") }
            if let kubelet { print(kubelet.diagnostics()) }
            await tearDown()
            throw error
        }
        if ProcessInfo.processInfo.environment["ASSAY_KEEP_TEST_LOGS"] != nil {
            print("logs kept in \(directory.path)")
            await tearDown()
            return
        }
        await tearDown()
        directory.remove()
    }

    // MARK: Suites

    /// A suite whose `cases` each have `input` "case <n>" and whose one target generates through
    /// the provider emulator (which answers "echo: <prompt>"); `failing` cases expect a reference
    /// the echo does not contain.
    func suiteYAML(
        _ name: String, cases: Int, failing: Int = 0, passThreshold: Double = 1, concurrency: Int = 4,
        extraCriteria: String = "", unreachableFirst: Bool = false
    ) -> String {
        var lines = [
            "apiVersion: eval.assay.dev/v1alpha1",
            "kind: EvaluationSuite",
            "metadata:",
            "  name: \(name)",
            "spec:",
            "  targets:",
            "  - name: echo",
            "    prompt: \"{{input}}\"",
            "    providers:",
        ]
        if unreachableFirst {
            // Nothing listens on the discard port: every call fails and the chain falls back.
            lines.append(
                "    - {type: anthropic, name: down, model: m, baseURL: \"http://127.0.0.1:9\", timeoutSeconds: 1, maxRetries: 0}"
            )
        }
        lines += [
            "    - type: openai",
            "      model: emulator",
            "      baseURL: \"\(provider.openAIBaseURL)\"",
            "      apiKey: {secretName: llm-keys, key: openai}",
            "      timeoutSeconds: 5",
            "  dataset:",
            "    cases:",
        ]
        for index in 0..<cases {
            let expected = index < failing ? "never said" : "case \(index)"
            lines.append("    - {id: c\(index), input: \"case \(index)\", reference: \"\(expected)\"}")
        }
        lines += [
            "  criteria:",
            "  - {type: contains, value: \"echo:\"}",
            "  - {type: similarity, method: tokenF1, threshold: 0.5}",
        ]
        if !extraCriteria.isEmpty { lines.append(extraCriteria) }
        lines += [
            "  passThreshold: \(passThreshold)",
            "  concurrency: \(concurrency)",
            "  evaluators: {minReplicas: 1, maxReplicas: 3, targetBacklogPerReplica: 10}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `kubectl apply -f` of `yaml`; the result, whatever its status.
    func apply(_ yaml: String, as name: String = UUID().uuidString) throws -> ProcessResult {
        try emulator.kubectl(["apply", "-f", try directory.write("\(name).yaml", yaml)])
    }

    func kubectl(_ arguments: [String]) throws -> ProcessResult {
        let result = try emulator.kubectl(arguments)
        try #require(result.status == 0, "kubectl \(arguments.joined(separator: " ")): \(result.combined)")
        return result
    }

    // MARK: Reading

    func suite(_ name: String, namespace: String = "default") async throws -> KubeObject {
        try await client.get(.evaluationSuite, name: name, namespace: namespace)
    }

    func status(_ name: String, namespace: String = "default") async throws -> JSONValue? {
        try await suite(name, namespace: namespace)["status"]
    }

    /// Waits until the suite's status satisfies `condition`; returns that status.
    @discardableResult
    func waitForStatus(
        _ name: String, _ what: String, namespace: String = "default", within limit: Duration = .seconds(60),
        _ condition: @escaping (JSONValue) -> Bool
    ) async throws -> JSONValue {
        var last: JSONValue?
        do {
            try await eventually("\(name): \(what)", within: limit) {
                last = try await status(name, namespace: namespace)
                return last.map(condition) ?? false
            }
        } catch {
            print("last status of \(name): \(last.map { JSONWriter.string($0) } ?? "none")")
            throw error
        }
        return try #require(last)
    }

    @discardableResult
    func waitForPhase(
        _ name: String, _ phase: String, namespace: String = "default", within limit: Duration = .seconds(60)
    ) async throws -> JSONValue {
        try await waitForStatus(name, "phase \(phase)", namespace: namespace, within: limit) {
            $0["phase"]?.stringValue == phase
        }
    }

    static func int(_ value: JSONValue?) -> Int? { value?.doubleValue.map { Int($0) } }

    /// Whether the named child exists.
    func exists(_ kind: ResourceKind, _ name: String) async throws -> Bool {
        do {
            _ = try await client.get(kind, name: name, namespace: "default")
            return true
        } catch  where error.isNotFound {
            return false
        }
    }

    /// A Redis client on the fixture's server.
    func redisClient() -> RedisClient { RedisClient(redis.clientConfiguration()) }

    /// Redis keys that mention `text`.
    func redisKeys(containing text: String) async throws -> [String] {
        let reply = try await redisClient().send(["KEYS", "*\(text)*"])
        return (reply.array ?? []).compactMap(\.text).sorted()
    }

    /// The case ids of every recorded result of `run`, in recording order.
    func recordedCaseIDs(run: String) async throws -> [String] {
        let reply = try await redisClient().send(["LRANGE", RunKeys(RunID(run)!).results, "0", "-1"])
        return try (reply.array ?? []).map { item in
            try CaseResult.decode(try JSONParser.parse(item.text ?? "")).caseID
        }
    }

    /// Event reasons recorded about `suite`.
    func eventReasons(about suite: String) throws -> [String] {
        let result = try kubectl([
            "get", "events", "--field-selector", "involvedObject.name=\(suite)", "-o", "jsonpath={.items[*].reason}",
        ])
        return result.output.split(separator: " ").map(String.init)
    }
}
