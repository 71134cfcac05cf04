import AssayCore
import AssayKube
import Foundation
import Synchronization

/// Stands in for the kubelet and the Deployment and ReplicaSet controllers where there is no
/// cluster: it watches the Deployments the operator manages on the Kubernetes API emulator and
/// keeps `spec.replicas` local processes running for each, from the pod template's first container
/// (see ``PodTemplate``), and writes each Deployment's `/status` as they become ready.
///
/// - A pod is a process of the built `assay-evaluator` named `<deployment>-<template hash>-<n>`
///   (`n` counts up per Deployment and is never reused, so a replacement is a new consumer), with
///   the container's environment resolved (Secrets and ConfigMaps read from the emulator), plus
///   `KUBECONFIG` (the emulator's, where a pod would use its service account) and
///   `ASSAY_LOG_LEVEL`. Its output goes to `<logDirectory>/<pod>.log`.
/// - A pod is ready when the evaluator logs `listening` with its address.
/// - A changed template replaces every pod (SIGTERM to the old, new ones started at once); fewer
///   replicas SIGTERM the pods with the highest `n`; a deleted Deployment SIGTERMs all of its pods.
///   A pod still running `terminationGrace` after SIGTERM gets SIGKILL.
/// - A pod that exits on its own (or is ``kill(pod:)``ed) is replaced, after a back-off that grows
///   while replacements keep failing before they are ready (like CrashLoopBackOff).
public final class LocalKubelet: Sendable {
    /// The label selector of the Deployments the operator creates.
    public static let managedBySelector = "app.kubernetes.io/managed-by=assay-operator"

    public struct Configuration: Sendable {
        /// The emulator's kubeconfig: the kubelet's own connection, and `KUBECONFIG` in every pod.
        public var kubeconfig: String
        /// The built `assay-evaluator` that runs as every pod's container.
        public var evaluator: String
        /// Where pod logs and `kubelet.log` go (a test's temporary directory).
        public var logDirectory: String
        /// `ASSAY_LOG_LEVEL` of the pods.
        public var logLevel: String
        /// Added to every pod's environment last (e.g. `ASSAY_STATUS_INTERVAL_SECONDS`).
        public var environment: [String: String]
        /// Watch one namespace; `nil` watches all.
        public var namespace: String?
        public var labelSelector: String
        /// Time between SIGTERM and SIGKILL (a pod's terminationGracePeriodSeconds).
        public var terminationGrace: Duration

        public init(
            kubeconfig: String, evaluator: String, logDirectory: String, logLevel: String = "info",
            environment: [String: String] = [:], namespace: String? = nil,
            labelSelector: String = LocalKubelet.managedBySelector, terminationGrace: Duration = .seconds(10)
        ) {
            self.kubeconfig = kubeconfig
            self.evaluator = evaluator
            self.logDirectory = logDirectory
            self.logLevel = logLevel
            self.environment = environment
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.terminationGrace = terminationGrace
        }
    }

    /// One local process standing in for a pod.
    public struct Pod: Sendable, Hashable, CustomStringConvertible {
        public var namespace: String
        public var deployment: String
        public var name: String
        /// The `n` in the pod's name.
        public var index: Int
        public var templateHash: String
        public var pid: Int32
        /// The evaluator's port once it listens (on 127.0.0.1).
        public var port: Int?
        /// SIGTERM was sent; the process has not exited yet.
        public var isTerminating: Bool
        public var logFile: String
        public var arguments: [String]
        public var environment: [String: String]

        public var isReady: Bool { port != nil && !isTerminating }
        /// `http://127.0.0.1:<port>` once it listens.
        public var baseURL: String? { port.map { "http://127.0.0.1:\($0)" } }

        public var description: String {
            "\(name) pid \(pid)\(port.map { " port \($0)" } ?? "")\(isReady ? " ready" : "")"
                + (isTerminating ? " terminating" : "")
        }
    }

    /// What the kubelet knows of one Deployment.
    public struct DeploymentState: Sendable, Equatable {
        public var namespace: String
        public var name: String
        /// `spec.replicas`.
        public var replicas: Int
        public var generation: Int
        public var templateHash: String
        /// The last `status` the kubelet wrote (nil before the first write).
        public var writtenStatus: JSONValue?
    }

    /// Everything the kubelet runs and knows, at one moment.
    public struct Snapshot: Sendable {
        /// Every process still alive, terminating ones included, by pod name.
        public var pods: [String: Pod]
        public var deployments: [ObjectKey: DeploymentState]
        /// The first list of Deployments has been seen.
        public var synced: Bool

        /// The pods of one Deployment (terminating ones included), in index order.
        public func pods(of deployment: String, namespace: String = "default") -> [Pod] {
            pods.values.filter { $0.deployment == deployment && $0.namespace == namespace }.sorted {
                $0.index < $1.index
            }
        }
    }

    /// A wait that timed out, with what the kubelet was doing.
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String
    }

    public let configuration: Configuration
    public let client: KubeClient
    private let board: Board
    private let events: AsyncStream<Event>.Continuation
    private let loop: Task<Void, Never>
    private let watch: Task<Void, Never>

    /// Starts watching and returns once the first list of Deployments has been seen.
    public static func start(_ configuration: Configuration, timeout: Duration = .seconds(10)) async throws
        -> LocalKubelet
    {
        let kubelet = try LocalKubelet(configuration)
        try await kubelet.waitUntil("the kubelet's first list of Deployments", timeout: timeout) { $0.synced }
        return kubelet
    }

    private init(_ configuration: Configuration) throws {
        self.configuration = configuration
        let client = KubeClient(
            connection: try KubeConfig.load(paths: [configuration.kubeconfig]).connection(),
            rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
        self.client = client
        let board = Board(logFile: "\(configuration.logDirectory)/kubelet.log")
        self.board = board
        let (stream, events) = AsyncStream.makeStream(of: Event.self)
        self.events = events
        loop = Task {
            let runtime = Runtime(configuration: configuration, client: client, board: board, events: events)
            for await event in stream {
                if case .stop = event { break }
                await runtime.handle(event)
            }
            await runtime.shutdown()
        }
        let watcher = Watcher(
            client: client, kind: .deployment, namespace: configuration.namespace,
            configuration: WatcherConfiguration(labelSelector: configuration.labelSelector))
        watch = Task {
            try? await watcher.run { event in events.yield(.watch(event)) }
        }
    }

    deinit {
        watch.cancel()
        events.yield(.stop)
    }

    // MARK: Reading

    public var snapshot: Snapshot { board.snapshot() }

    /// The live pods of one Deployment (not terminating), in index order.
    public func pods(of deployment: String, namespace: String = "default") -> [Pod] {
        snapshot.pods(of: deployment, namespace: namespace).filter { !$0.isTerminating }
    }

    public func deployment(_ name: String, namespace: String = "default") -> DeploymentState? {
        snapshot.deployments[ObjectKey(namespace: namespace, name: name)]
    }

    /// What the kubelet did, one line per action (also in `<logDirectory>/kubelet.log`).
    public var activity: [String] { board.activity() }

    // MARK: Waiting

    /// Waits until `predicate` holds for the kubelet's state, re-checked on every change.
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(30), _ predicate: @escaping @Sendable (Snapshot) -> Bool
    ) async throws {
        let board = board
        do {
            try await withDeadline(timeout, what) {
                for await _ in board.changes() where predicate(board.snapshot()) { return }
                throw CancellationError()
            }
        } catch is DeadlineExceeded {
            throw Timeout(description: "timed out after \(timeout) waiting for \(what)\n\(diagnostics())")
        }
    }

    /// Waits until `deployment` runs exactly `count` processes, all on its current template, all
    /// ready and none terminating, and the kubelet has written that onto its `/status`
    /// (`readyReplicas == count` at its generation). For 0, until every process of it has exited
    /// (and, if it still exists, its status says 0). Returns the pods.
    @discardableResult
    public func waitForReady(
        _ deployment: String, namespace: String = "default", count: Int, timeout: Duration = .seconds(30)
    ) async throws -> [Pod] {
        let key = ObjectKey(namespace: namespace, name: deployment)
        try await waitUntil("\(count) ready pods of \(key)", timeout: timeout) { snapshot in
            let pods = snapshot.pods(of: deployment, namespace: namespace)
            guard let state = snapshot.deployments[key] else { return count == 0 && pods.isEmpty }
            let status = state.writtenStatus
            return pods.count == count
                && pods.allSatisfy { $0.isReady && $0.templateHash == state.templateHash }
                && status?["readyReplicas"]?.doubleValue == Double(count)
                && status?["replicas"]?.doubleValue == Double(count)
                && status?["observedGeneration"]?.doubleValue == Double(state.generation)
        }
        return pods(of: deployment, namespace: namespace)
    }

    // MARK: Acting

    /// SIGKILL: the pod dies at once (the kubelet then replaces it). False if no such process.
    @discardableResult
    public func kill(pod name: String) -> Bool {
        guard let process = board.process(name) else { return false }
        process.signal(SIGKILL)
        return true
    }

    /// Stops watching and terminates every pod (SIGTERM, SIGKILL after the grace), waiting until
    /// all have exited.
    public func stop() async {
        watch.cancel()
        events.yield(.stop)
        await loop.value
        events.finish()
    }

    // MARK: Diagnostics

    /// The state, the kubelet's recent actions and the last `lines` lines of every pod's log
    /// (the most recent `pods` pods), for a failing test's message.
    public func diagnostics(lines: Int = 15, pods: Int = 8) -> String {
        let snapshot = snapshot
        var text =
            "kubelet pods: "
            + snapshot.pods.values.sorted { $0.name < $1.name }.map(\.description).joined(
                separator: ", ")
        for state in snapshot.deployments.values {
            text += "\ndeployment \(state.namespace)/\(state.name): replicas \(state.replicas), generation "
            text += "\(state.generation), template \(state.templateHash), status "
            text += state.writtenStatus.map { JSONWriter.string($0) } ?? "(not written)"
        }
        text += "\nkubelet activity:\n" + activity.suffix(30).joined(separator: "\n")
        for file in board.logFiles().suffix(pods) {
            let content = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            let tail = content.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            text += "\n--- \(URL(fileURLWithPath: file).lastPathComponent) ---\n" + tail.joined(separator: "\n")
        }
        return text
    }

    /// The evaluator's port from its `listening` log line.
    static func listeningPort(_ line: String) -> Int? {
        guard line.contains("\"listening\""), let json = try? JSONParser.parse(line),
            json["msg"]?.stringValue == "listening", let address = json["address"]?.stringValue,
            let port = address.split(separator: ":").last.flatMap({ Int($0) })
        else { return nil }
        return port
    }
}

/// What drives the kubelet's loop.
private enum Event: Sendable {
    case watch(WatcherEvent)
    case ready(ObjectKey, pod: String, port: Int)
    case exited(ObjectKey, pod: String, ChildProcess.Termination)
    case resync(ObjectKey)
    case stop
}

/// The published state: read by tests at any time, changed by the loop, waited on through
/// ``changes()``.
private final class Board: Sendable {
    struct State {
        var pods: [String: LocalKubelet.Pod] = [:]
        var processes: [String: ChildProcess] = [:]
        var deployments: [ObjectKey: LocalKubelet.DeploymentState] = [:]
        var synced = false
        var logFiles: [String] = []
        var activity: [String] = []
        var observers: [UUID: AsyncStream<Void>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now
    let logFile: String

    init(logFile: String) {
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
    }

    func update(_ body: (inout State) -> Void) {
        state.withLock { state in
            body(&state)
            for observer in state.observers.values { observer.yield() }
        }
    }

    func snapshot() -> LocalKubelet.Snapshot {
        state.withLock { LocalKubelet.Snapshot(pods: $0.pods, deployments: $0.deployments, synced: $0.synced) }
    }

    func process(_ pod: String) -> ChildProcess? { state.withLock { $0.processes[pod] } }
    func activity() -> [String] { state.withLock { $0.activity } }
    func logFiles() -> [String] { state.withLock { $0.logFiles } }

    /// Records one action, with the seconds since the kubelet started.
    func note(_ text: String) {
        let elapsed = ContinuousClock.now - started
        let line =
            String(format: "%8.3f ", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            + text
        state.withLock { $0.activity.append(line) }
        if let handle = FileHandle(forWritingAtPath: logFile) {
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            try? handle.close()
        }
    }

    /// Yields once at once and after every change, until the caller stops iterating.
    func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock { $0.observers[id] = continuation }
        continuation.yield()
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
    }
}

/// The kubelet's loop state, touched only by the loop's task (one event at a time).
private final class Runtime {
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
        failures <= 0 ? .zero : min(.milliseconds(250) * (1 << min(failures - 1, 5)), .seconds(5))
    }

    let configuration: LocalKubelet.Configuration
    let client: KubeClient
    let board: Board
    let events: AsyncStream<Event>.Continuation
    var deployments: [ObjectKey: DeploymentRecord] = [:]
    /// Terminating pods of Deployments that are gone.
    var orphans: [String: PodRecord] = [:]
    var synced = false

    init(
        configuration: LocalKubelet.Configuration, client: KubeClient, board: Board,
        events: AsyncStream<Event>.Continuation
    ) {
        self.configuration = configuration
        self.client = client
        self.board = board
        self.events = events
    }

    func handle(_ event: Event) async {
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
