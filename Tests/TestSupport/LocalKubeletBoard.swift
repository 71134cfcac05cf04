import AssayCore
import AssayKube
import Foundation

/// What drives the kubelet's loop.
enum LocalKubeletEvent: Sendable {
    case watch(WatcherEvent)
    case ready(ObjectKey, pod: String, port: Int)
    case exited(ObjectKey, pod: String, ChildProcess.Termination)
    case resync(ObjectKey)
    case stop
}

/// The published state: read by tests at any time, changed by the loop, waited on through
/// ``changes()``.
final class LocalKubeletBoard: Sendable {
    struct State {
        var pods: [String: LocalKubelet.Pod] = [:]
        var processes: [String: ChildProcess] = [:]
        var deployments: [ObjectKey: LocalKubelet.DeploymentState] = [:]
        var synced = false
        var logFiles: [String] = []
        var activity: [String] = []
        var observers: [UUID: AsyncStream<Void>.Continuation] = [:]
    }

    private let state = Guarded(State())
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
