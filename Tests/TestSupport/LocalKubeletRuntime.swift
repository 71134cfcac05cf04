import AssayCore
import AssayKube
import Foundation

/// The kubelet's loop state, touched only by the loop's task (one event at a time).
final class LocalKubeletRuntime {
    struct PodRecord {
        var pod: LocalKubelet.Pod
        var process: ChildProcess
    }

    struct DeploymentRecord {
        var object: KubeObject
        /// Live processes by pod name, terminating ones included.
        var pods: [String: PodRecord] = [:]
        var nextIndex = 0
        /// Replacements that failed (exited before ready, or could not start) in a row.
        var failures = 0
        var notBefore: ContinuousClock.Instant?
        var resyncScheduled = false
        var writtenStatus: JSONValue?
    }

    /// Back-off before replacing a pod after `failures` failures in a row: 250 ms doubling to 5 s.
    static func backoff(_ failures: Int) -> Duration {
        failures <= 0 ? .zero : replacementBackoff.ceiling(attempt: failures)
    }

    static let replacementBackoff = try! Backoff(base: .milliseconds(250), cap: .seconds(5))

    let configuration: LocalKubelet.Configuration
    let client: KubeClient
    let board: LocalKubeletBoard
    let events: AsyncStream<LocalKubeletEvent>.Continuation
    var deployments: [ObjectKey: DeploymentRecord] = [:]
    /// Terminating pods of Deployments that are gone.
    var orphans: [String: PodRecord] = [:]
    var synced = false

    init(
        configuration: LocalKubelet.Configuration, client: KubeClient, board: LocalKubeletBoard,
        events: AsyncStream<LocalKubeletEvent>.Continuation
    ) {
        self.configuration = configuration
        self.client = client
        self.board = board
        self.events = events
    }

    func handle(_ event: LocalKubeletEvent) async {
        switch event {
        case .watch(.added(let object)), .watch(.modified(let object)):
            let key = object.key
            if deployments[key] == nil {
                deployments[key] = DeploymentRecord(object: object)
                board.note("deployment \(key) seen (generation \(object.generation ?? 0))")
            } else {
                deployments[key]?.object = object
            }
            await reconcile(key)
        case .watch(.deleted(let object)):
            if let record = deployments.removeValue(forKey: object.key) {
                board.note("deployment \(object.key) deleted; terminating its \(record.pods.count) pods")
                for var pod in record.pods.values {
                    if !pod.pod.isTerminating { terminate(&pod) }
                    orphans[pod.pod.name] = pod
                }
            }
        case .watch(.synced):
            synced = true
        case .ready(let key, let name, let port):
            if var pod = deployments[key]?.pods[name] {
                pod.pod.port = port
                deployments[key]?.pods[name] = pod
                deployments[key]?.failures = 0
                board.note("pod \(name) ready on port \(port)")
                await reconcile(key)
            }
        case .exited(let key, let name, let termination):
            if orphans.removeValue(forKey: name) != nil {
                board.note("pod \(name) exited (\(termination))")
            } else if let pod = deployments[key]?.pods.removeValue(forKey: name) {
                if pod.pod.isTerminating {
                    board.note("pod \(name) exited (\(termination))")
                } else {
                    // Died on its own: replaced, with a back-off if it never got ready.
                    if pod.pod.port == nil { deployments[key]?.failures += 1 }
                    let delay = Self.backoff(deployments[key]?.failures ?? 0)
                    deployments[key]?.notBefore = .now + delay
                    board.note("pod \(name) died (\(termination)); replacing it in \(delay)")
                }
                await reconcile(key)
            }
        case .resync(let key):
            deployments[key]?.resyncScheduled = false
            await reconcile(key)
        case .stop:
            break
        }
        publish()
    }

    /// Terminates every process and waits for all to exit.
    func shutdown() async {
        var all = Array(orphans.values)
        for var pod in deployments.values.flatMap(\.pods.values) {
            if !pod.pod.isTerminating { terminate(&pod) }
            all.append(pod)
        }
        board.note("stopping: waiting for \(all.count) pods to exit")
        let grace = configuration.terminationGrace
        await withTaskGroup(of: Void.self) { group in
            for pod in all { group.addTask { _ = await pod.process.terminate(grace: grace) } }
        }
        deployments = [:]
        orphans = [:]
        publish()
    }

    /// Brings one Deployment's processes to its spec and its status up to date.
    func reconcile(_ key: ObjectKey) async {
        guard var record = deployments[key] else { return }
        let template = PodTemplate(record.object.json["spec"]?["template"] ?? .null)
        let hash = template.hash
        let desired = max(Int(record.object.json["spec"]?["replicas"]?.doubleValue ?? 1), 0)

        for name in record.pods.keys {
            guard var pod = record.pods[name], !pod.pod.isTerminating, pod.pod.templateHash != hash else { continue }
            board.note("pod \(name) runs an old template; terminating it")
            terminate(&pod)
            record.pods[name] = pod
        }
        var current = record.pods.values.filter { !$0.pod.isTerminating }.sorted { $0.pod.index < $1.pod.index }
        while current.count > desired, var pod = current.popLast() {
            board.note("scaling \(key) down to \(desired): terminating \(pod.pod.name)")
            terminate(&pod)
            record.pods[pod.pod.name] = pod
        }
        if current.count < desired {
            if let notBefore = record.notBefore, notBefore > .now {
                schedule(key, at: notBefore, &record)
            } else {
                for _ in current.count..<desired {
                    do {
                        try await start(key, template: template, hash: hash, into: &record)
                    } catch {
                        record.failures += 1
                        let delay = Self.backoff(record.failures)
                        record.notBefore = .now + delay
                        board.note("cannot start a pod of \(key): \(error); retrying in \(delay)")
                        schedule(key, at: .now + delay, &record)
                        break
                    }
                }
            }
        }
        deployments[key] = record
        await writeStatus(key, desired: desired, hash: hash)
    }

    func terminate(_ pod: inout PodRecord) {
        pod.pod.isTerminating = true
        let process = pod.process
        let grace = configuration.terminationGrace
        // SIGTERM now; SIGKILL if it is still there after the grace. The exit comes back as an event.
        Task { _ = await process.terminate(grace: grace) }
    }

    func schedule(_ key: ObjectKey, at instant: ContinuousClock.Instant, _ record: inout DeploymentRecord) {
        guard !record.resyncScheduled else { return }
        record.resyncScheduled = true
        let events = events
        Task {
            try? await Task.sleep(until: instant, clock: .continuous)
            events.yield(.resync(key))
        }
    }

    func start(_ key: ObjectKey, template: PodTemplate, hash: String, into record: inout DeploymentRecord)
        async throws
    {
        let namespace = key.namespace ?? KubeConnection.defaultNamespace
        let index = record.nextIndex
        let name = "\(key.name)-\(hash)-\(index)"
        let client = client
        let lookups = PodTemplate.Lookups(
            secret: { namespace, name, item in
                guard let encoded = try await Self.read(client, .secret, namespace, name)?["data"]?[item]?.stringValue
                else { return nil }
                guard let data = Data(base64Encoded: encoded) else {
                    throw PodTemplate.ConfigError(message: "secret \(name) key \(item) is not base64")
                }
                return String(decoding: data, as: UTF8.self)
            },
            configMap: { namespace, name, item in
                try await Self.read(client, .configMap, namespace, name)?["data"]?[item]?.stringValue
            })
        var environment = ChildProcess.cleanEnvironment()
        environment["KUBECONFIG"] = configuration.kubeconfig
        environment["ASSAY_LOG_LEVEL"] = configuration.logLevel
        environment.merge(
            try await template.environment(
                namespace: namespace, podName: name, podUID: UUID().uuidString.lowercased(), lookups: lookups)
        ) { $1 }
        environment.merge(configuration.environment) { $1 }
        let arguments = template.arguments
        let logFile = "\(configuration.logDirectory)/\(name).log"
        let events = events
        let process = try ChildProcess(
            executable: configuration.evaluator, arguments: arguments, environment: environment,
            directory: configuration.logDirectory, logFile: logFile,
            onLine: { line in
                if let port = LocalKubelet.listeningPort(line) { events.yield(.ready(key, pod: name, port: port)) }
            },
            onExit: { termination in events.yield(.exited(key, pod: name, termination)) })
        record.nextIndex += 1
        record.pods[name] = PodRecord(
            pod: LocalKubelet.Pod(
                namespace: namespace, deployment: key.name, name: name, index: index, templateHash: hash,
                pid: process.pid, port: nil, isTerminating: false, logFile: logFile, arguments: arguments,
                environment: environment),
            process: process)
        board.update { $0.logFiles.append(logFile) }
        board.note("started pod \(name) (pid \(process.pid)): \(arguments.joined(separator: " "))")
    }

    static func read(_ client: KubeClient, _ kind: ResourceKind, _ namespace: String, _ name: String) async throws
        -> KubeObject?
    {
        do {
            return try await client.get(kind, name: name, namespace: namespace)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    /// Writes `status` as the Deployment controller would, when it differs from the last write.
    func writeStatus(_ key: ObjectKey, desired: Int, hash: String) async {
        guard let record = deployments[key] else { return }
        let alive = record.pods.values.filter { !$0.pod.isTerminating }
        let ready = alive.filter { $0.pod.isReady }.count
        let status: JSONValue = [
            "observedGeneration": .number(Double(record.object.generation ?? 0)),
            "replicas": .number(Double(alive.count)),
            "updatedReplicas": .number(Double(alive.filter { $0.pod.templateHash == hash }.count)),
            "readyReplicas": .number(Double(ready)),
            "availableReplicas": .number(Double(ready)),
            "unavailableReplicas": .number(Double(max(desired - ready, 0))),
        ]
        guard status != record.writtenStatus else { return }
        do {
            _ = try await client.patchStatus(
                .deployment, name: key.name, namespace: key.namespace, .merge(["status": status]))
            deployments[key]?.writtenStatus = status
            board.note("status of \(key): ready \(ready)/\(desired), replicas \(alive.count)")
        } catch {
            guard !error.isNotFound else { return }
            board.note("cannot write the status of \(key): \(error); retrying")
            if var record = deployments[key] {
                schedule(key, at: .now + .milliseconds(500), &record)
                deployments[key] = record
            }
        }
    }

    /// Copies the loop's state to the board.
    func publish() {
        var pods: [String: LocalKubelet.Pod] = [:]
        var processes: [String: ChildProcess] = [:]
        for record in Array(deployments.values.flatMap(\.pods.values)) + Array(orphans.values) {
            pods[record.pod.name] = record.pod
            processes[record.pod.name] = record.process
        }
        var states: [ObjectKey: LocalKubelet.DeploymentState] = [:]
        for (key, record) in deployments {
            states[key] = LocalKubelet.DeploymentState(
                namespace: key.namespace ?? KubeConnection.defaultNamespace, name: key.name,
                replicas: max(Int(record.object.json["spec"]?["replicas"]?.doubleValue ?? 1), 0),
                generation: record.object.generation ?? 0,
                templateHash: PodTemplate(record.object.json["spec"]?["template"] ?? .null).hash,
                writtenStatus: record.writtenStatus)
        }
        let synced = synced
        board.update { state in
            state.pods = pods
            state.processes = processes
            state.deployments = states
            state.synced = synced
        }
    }
}
