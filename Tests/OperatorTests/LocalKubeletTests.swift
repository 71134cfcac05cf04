import AssayCore
import Foundation
import TestSupport
import Testing

/// The harness the end-to-end operator tests stand on, without the operator: the children
/// `assay-operator render` prints are applied to the Kubernetes API emulator with kubectl, and the
/// local kubelet runs the evaluator Deployment as real `assay-evaluator` processes.
@Suite(
    "The local kubelet runs the operator's Deployments as evaluator processes", .serialized,
    .enabled(if: KubeletFixture.missing == nil, "\(KubeletFixture.missing ?? "")"))
struct LocalKubeletTests {
    static let deployment = "capitals-evaluators"

    @Test("a rendered Deployment runs one evaluator whose health answers and whose environment holds the Secret")
    func runsOnePod() async throws {
        try await KubeletFixture.with { fixture in
            let pods = try await fixture.kubelet.waitForReady(Self.deployment, count: 1)
            let pod = try #require(pods.first)
            #expect(pod.name.hasPrefix("\(Self.deployment)-\(pod.templateHash)-"))
            let health = try await LocalHTTP.get(try #require(pod.baseURL) + "/healthz")
            #expect(health.status == 200)

            let environment = try Self.environment(of: pod.pid)
            #expect(environment["ASSAY_SECRET_LLM_KEYS_OPENAI"] == KubeletFixture.apiKey)
            #expect(environment["ASSAY_CONSUMER"] == pod.name)
            #expect(environment["ASSAY_SUITE_NAMESPACE"] == "default")
            #expect(environment["ASSAY_RUN_ID"] == "\(fixture.suiteUID)-g1")
            #expect(environment["ASSAY_REDIS_URL"] == fixture.redis.urlString)
            #expect(environment["KUBECONFIG"] == fixture.emulator.kubeconfig)
            #expect(pod.arguments == ["serve", "--host", "127.0.0.1", "--port", "0", "--auth", "kubernetes"])

            let status = try fixture.emulator.kubectl([
                "get", "deployment", Self.deployment, "-o",
                "jsonpath={.status.readyReplicas}/{.status.replicas}/{.status.observedGeneration}",
            ])
            #expect(status.output == "1/1/1", "\(status.combined)")
        }
    }

    @Test("scaling to three starts three ready evaluators and the status says so; scaling to zero stops them")
    func scales() async throws {
        try await KubeletFixture.with { fixture in
            let first = try await fixture.kubelet.waitForReady(Self.deployment, count: 1)
            try fixture.kubectlSucceeds(["scale", "deployment", Self.deployment, "--replicas=3"])
            let three = try await fixture.kubelet.waitForReady(Self.deployment, count: 3)
            #expect(three.map(\.name).contains(try #require(first.first).name), "scaling up keeps the first pod")
            #expect(Set(three.compactMap(\.port)).count == 3)
            let ready = try fixture.emulator.kubectl([
                "get", "deployment", Self.deployment, "-o", "jsonpath={.status.readyReplicas}",
            ])
            #expect(ready.output == "3", "\(ready.combined)")

            try fixture.kubectlSucceeds(["scale", "deployment", Self.deployment, "--replicas=2"])
            let two = try await fixture.kubelet.waitForReady(Self.deployment, count: 2)
            #expect(two.map(\.index) == three.map(\.index).prefix(2).map { $0 }, "the highest index goes first")

            try fixture.kubectlSucceeds(["scale", "deployment", Self.deployment, "--replicas=0"])
            try await fixture.kubelet.waitForReady(Self.deployment, count: 0)
            for pod in three { #expect(!Self.isAlive(pod.pid), "\(pod.name) still runs") }
            let stopped = try fixture.emulator.kubectl([
                "get", "deployment", Self.deployment, "-o", "jsonpath={.status.readyReplicas}/{.status.replicas}",
            ])
            #expect(stopped.output == "0/0", "\(stopped.combined)")
            #expect(fixture.kubelet.activity.contains { $0.contains("exited (exit status 0)") }, "SIGTERM ends pods")
        }
    }

    @Test("a new ASSAY_RUN_ID in the template replaces every evaluator with new processes")
    func replacesOnTemplateChange() async throws {
        try await KubeletFixture.with { fixture in
            try fixture.kubectlSucceeds(["scale", "deployment", Self.deployment, "--replicas=2"])
            let old = try await fixture.kubelet.waitForReady(Self.deployment, count: 2)
            try fixture.kubectlSucceeds(["set", "env", "deployment/\(Self.deployment)", "ASSAY_RUN_ID=another-run"])
            try await fixture.kubelet.waitUntil("the template change") { snapshot in
                snapshot.deployments.values.contains { $0.templateHash != old[0].templateHash }
            }
            let new = try await fixture.kubelet.waitForReady(Self.deployment, count: 2)
            #expect(Set(new.map(\.pid)).isDisjoint(with: old.map(\.pid)))
            #expect(Set(new.map(\.name)).isDisjoint(with: old.map(\.name)))
            for pod in old { #expect(!Self.isAlive(pod.pid), "\(pod.name) still runs") }
            for pod in new { #expect(try Self.environment(of: pod.pid)["ASSAY_RUN_ID"] == "another-run") }
            let generation = try fixture.emulator.kubectl([
                "get", "deployment", Self.deployment, "-o", "jsonpath={.status.observedGeneration}",
            ])
            #expect(generation.output == "3", "scale, then set env: \(generation.combined)")
        }
    }

    @Test("a killed pod is replaced by a new process under a new name")
    func replacesAKilledPod() async throws {
        try await KubeletFixture.with { fixture in
            let before = try #require(try await fixture.kubelet.waitForReady(Self.deployment, count: 1).first)
            #expect(fixture.kubelet.kill(pod: before.name))
            try await fixture.kubelet.waitUntil("a replacement pod") { snapshot in
                snapshot.pods(of: Self.deployment).contains { $0.isReady && $0.name != before.name }
            }
            let after = try #require(try await fixture.kubelet.waitForReady(Self.deployment, count: 1).first)
            #expect(after.index > before.index)
            #expect(after.pid != before.pid)
            #expect(!Self.isAlive(before.pid))
        }
    }

    @Test("deleting the Deployment stops its evaluators")
    func stopsOnDelete() async throws {
        try await KubeletFixture.with { fixture in
            let pods = try await fixture.kubelet.waitForReady(Self.deployment, count: 1)
            try fixture.kubectlSucceeds(["delete", "deployment", Self.deployment])
            try await fixture.kubelet.waitUntil("the Deployment's pods to exit") { snapshot in
                snapshot.pods(of: Self.deployment).isEmpty && snapshot.deployments.isEmpty
            }
            for pod in pods { #expect(!Self.isAlive(pod.pid), "\(pod.name) still runs") }
        }
    }

    /// A process's environment, from `/proc/<pid>/environ`.
    static func environment(of pid: Int32) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }

    /// Whether `pid` is still a process (reaped children are gone from /proc).
    static func isAlive(_ pid: Int32) -> Bool { FileManager.default.fileExists(atPath: "/proc/\(pid)") }
}

/// The emulator with the CRD, the capitals suite and its Secret, a redis-server, the suite's
/// rendered children applied with kubectl, and a local kubelet running them.
struct KubeletFixture {
    static let apiKey = "sk-local-kubelet-test"

    /// Why these tests cannot run here, if they cannot.
    static var missing: String? {
        if !EmulatorProcess.isAvailable { return "assay-kube-emulator or kubectl is missing" }
        if !RedisServer.isInstalled { return "redis-server is not on PATH" }
        if BuiltExecutable.path(BuiltExecutable.evaluator) == nil || OperatorProcess.executable == nil {
            return "assay-evaluator or assay-operator is not built (swift build --build-tests)"
        }
        return nil
    }

    let directory: TemporaryDirectory
    let emulator: EmulatorProcess
    let redis: RedisServer
    let kubelet: LocalKubelet
    let suiteUID: String

    /// Sets everything up, runs `body`, and tears everything down, also when `body` throws.
    static func with(_ body: (KubeletFixture) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "assay-kubelet")
        let emulator = try EmulatorProcess()
        let redis: RedisServer
        do {
            redis = try await RedisServer.start()
        } catch {
            emulator.stop()
            throw error
        }
        var kubelet: LocalKubelet?
        do {
            let suiteUID = try prepare(emulator, redis: redis, directory: directory)
            kubelet = try await LocalKubelet.start(
                LocalKubelet.Configuration(
                    kubeconfig: emulator.kubeconfig,
                    evaluator: try #require(BuiltExecutable.path(BuiltExecutable.evaluator)),
                    logDirectory: directory.path, terminationGrace: .seconds(5)))
            let fixture = KubeletFixture(
                directory: directory, emulator: emulator, redis: redis, kubelet: try #require(kubelet),
                suiteUID: suiteUID)
            try await body(fixture)
        } catch {
            if let kubelet { print(kubelet.diagnostics()) }
            await kubelet?.stop()
            redis.stop()
            emulator.stop()
            throw error
        }
        await kubelet?.stop()
        redis.stop()
        emulator.stop()
        directory.remove()
    }

    /// Installs the CRD, the suite and its Secret, and applies the suite's rendered children;
    /// returns the suite's uid.
    static func prepare(_ emulator: EmulatorProcess, redis: RedisServer, directory: TemporaryDirectory) throws
        -> String
    {
        let succeed = { (arguments: [String]) throws -> ProcessResult in
            let result = try emulator.kubectl(arguments)
            guard result.status == 0 else { throw KubectlFailed(arguments: arguments, result: result) }
            return result
        }
        _ = try succeed(["apply", "-f", Repository.path("config/crd/evaluationsuites.yaml")])
        let suite = Repository.path("config/samples/capitals.yaml")
        _ = try succeed(["apply", "-f", suite])
        _ = try succeed(["create", "secret", "generic", "llm-keys", "--from-literal=openai=\(apiKey)"])
        let uid = try succeed(["get", "evaluationsuite", "capitals", "-o", "jsonpath={.metadata.uid}"]).output
        let rendered = try Command.run(
            try #require(OperatorProcess.executable),
            [
                "render", "--output", "json", "--namespace", "default", "--uid", uid, "--redis", redis.urlString,
                suite,
            ])
        guard rendered.status == 0 else { throw KubectlFailed(arguments: ["render"], result: rendered) }
        // One file per object: kubectl's client-side validation finds no schema for `v1 List` on the emulator.
        let items = try #require(try JSONParser.parse(rendered.output)["items"]?.arrayValue)
        let children = directory.file("children")
        try FileManager.default.createDirectory(atPath: children, withIntermediateDirectories: true)
        for (index, item) in items.enumerated() {
            try directory.write("children/\(index).json", JSONWriter.string(item))
        }
        _ = try succeed(["apply", "-f", children])
        return uid
    }

    func kubectlSucceeds(_ arguments: [String]) throws {
        let result = try emulator.kubectl(arguments)
        guard result.status == 0 else { throw KubectlFailed(arguments: arguments, result: result) }
    }
}

struct KubectlFailed: Error, CustomStringConvertible {
    var arguments: [String]
    var result: ProcessResult

    var description: String { "\(arguments.joined(separator: " ")) exited \(result.status): \(result.combined)" }
}

/// How the local kubelet reads a pod template.
@Suite("A pod template as the local kubelet runs it")
struct PodTemplateTests {
    static func template(args: [JSONValue], env: [JSONValue] = []) -> PodTemplate {
        PodTemplate([
            "metadata": ["labels": ["app": "x"]],
            "spec": [
                "containers": [
                    ["name": "evaluator", "command": ["assay-evaluator"], "args": .array(args), "env": .array(env)]
                ]
            ],
        ])
    }

    @Test(
        "the pod's listen address becomes loopback with a port the kernel picks",
        arguments: [
            (["serve", "--host", "0.0.0.0", "--port", "8080"], ["serve", "--host", "127.0.0.1", "--port", "0"]),
            (
                ["serve", "--port=8080", "--log-level", "debug"],
                ["serve", "--port", "0", "--log-level", "debug", "--host", "127.0.0.1"]
            ),
            (["serve"], ["serve", "--host", "127.0.0.1", "--port", "0"]),
        ])
    func loopback(args: [String], expected: [String]) {
        #expect(Self.template(args: args.map { .string($0) }).arguments == expected)
    }

    @Test("values, field references and Secret keys resolve; a missing key stops the pod unless optional")
    func environment() async throws {
        let lookups = PodTemplate.Lookups(
            secret: { namespace, name, key in namespace == "team" && name == "keys" && key == "openai" ? "sk-1" : nil },
            configMap: { _, _, _ in nil })
        let env: [JSONValue] = [
            ["name": "PLAIN", "value": "v"],
            ["name": "NS", "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]]],
            ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
            ["name": "KEY", "valueFrom": ["secretKeyRef": ["name": "keys", "key": "openai"]]],
            ["name": "MAYBE", "valueFrom": ["secretKeyRef": ["name": "keys", "key": "none", "optional": true]]],
        ]
        let resolved = try await Self.template(args: [], env: env).environment(
            namespace: "team", podName: "p-0", podUID: "u", lookups: lookups)
        #expect(resolved == ["PLAIN": "v", "NS": "team", "POD": "p-0", "KEY": "sk-1"])

        let missing: [JSONValue] = [["name": "KEY", "valueFrom": ["secretKeyRef": ["name": "keys", "key": "none"]]]]
        await #expect(throws: PodTemplate.ConfigError.self) {
            try await Self.template(args: [], env: missing).environment(
                namespace: "team", podName: "p-0", podUID: "u", lookups: lookups)
        }
    }

    @Test("the template hash ignores member order and follows every change")
    func hash() throws {
        let one = Self.template(args: ["serve"])
        var reordered = try #require(one.template.objectValue)
        let metadata = try #require(reordered["metadata"])
        reordered["metadata"] = nil
        reordered["metadata"] = metadata
        #expect(PodTemplate(.object(reordered)).hash == one.hash)
        #expect(Self.template(args: ["serve", "--log-level", "debug"]).hash != one.hash)
        #expect(one.hash.count == 10)
    }
}
