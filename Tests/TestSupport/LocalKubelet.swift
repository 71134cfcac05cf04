import AssayCore
import AssayKube
import Foundation

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
    private let board: LocalKubeletBoard
    private let events: AsyncStream<LocalKubeletEvent>.Continuation
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
        let board = LocalKubeletBoard(logFile: "\(configuration.logDirectory)/kubelet.log")
        self.board = board
        let (stream, events) = AsyncStream.makeStream(of: LocalKubeletEvent.self)
        self.events = events
        loop = Task {
            let runtime = LocalKubeletRuntime(
                configuration: configuration, client: client, board: board, events: events)
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
