import Foundation
import Synchronization
import Testing

@testable import Common

/// A child process whose standard output a test reads line by line, waiting for a line instead of
/// sleeping.
final class KubeChildProcess: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case exited(String)
        case timedOut(String)

        var description: String {
            switch self {
            case .exited(let what): "\(what) exited before it was ready"
            case .timedOut(let what): "timed out waiting for \(what)"
            }
        }
    }

    let process: Process
    private let lines: AsyncStream<String>

    init(executable: String, arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        let buffer = Mutex<[UInt8]>([])
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                continuation.finish()
                handle.readabilityHandler = nil
                return
            }
            buffer.withLock { bytes in
                bytes += data
                while let newline = bytes.firstIndex(of: 10) {
                    continuation.yield(String(decoding: bytes[..<newline], as: UTF8.self))
                    bytes.removeSubrange(...newline)
                }
            }
        }
        try process.run()
    }

    /// The first output line starting with `prefix`.
    func line(startingWith prefix: String, timeout: Duration = .seconds(20)) async throws -> String {
        let lines = lines
        let name = process.executableURL?.lastPathComponent ?? "process"
        return try await kubeWithTimeout(timeout, "\(name) to print \(prefix)") {
            for await line in lines where line.hasPrefix(prefix) { return line }
            throw Failure.exited(name)
        }
    }

    /// SIGKILL: children of the test runner inherit a signal mask that blocks SIGTERM.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs the built `assay-kube-emulator` for one test and gives a client connected to it through
/// the kubeconfig it writes.
final class KubeEmulatorProcess: Sendable {
    /// Next to the test bundle (`<scratch>/debug/`), where `swift build --build-tests` puts it.
    static var executable: String? {
        var candidates: [String] = []
        if let argument0 = CommandLine.arguments.first {
            var url = URL(fileURLWithPath: argument0).deletingLastPathComponent()
            // On macOS the bundle's binary sits in <bundle>.xctest/Contents/MacOS.
            while url.path.contains(".xctest") { url.deleteLastPathComponent() }
            candidates.append(url.appendingPathComponent("assay-kube-emulator").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/assay-kube-emulator").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var isBuilt: Bool { executable != nil }

    let child: KubeChildProcess
    let directory: String
    let client: KubeClient
    let baseURL: String

    init(arguments: [String] = []) async throws {
        guard let executable = Self.executable else { throw KubeChildProcess.Failure.exited("assay-kube-emulator") }
        directory = try KubeFixtures.temporaryDirectory()
        let kubeconfig = "\(directory)/kubeconfig"
        child = try KubeChildProcess(
            executable: executable, arguments: ["--port", "0", "--kubeconfig-out", kubeconfig] + arguments)
        let listening = try await child.line(startingWith: "listening on ")
        baseURL = "http://" + listening.dropFirst("listening on ".count)
        let connection = try KubeConfig.load(paths: [kubeconfig]).connection()
        client = KubeClient(connection: connection, rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
    }

    /// Calls one of the emulator's test hooks (`expire-history`, `drop-watches`).
    func hook(_ name: String) async throws {
        let response = try await KubeCurlTransport().send(
            ClientRequest(method: "POST", url: "\(baseURL)/emulator/\(name)"))
        #expect(response.status == 200)
    }

    func stop() {
        child.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body`, failing with ``KubeEmulatorProcess/Failure/timedOut(_:)`` after `limit`.
func kubeWithTimeout<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw KubeChildProcess.Failure.timedOut(what)
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

/// Collects a watcher's events so a test can wait for the one it expects.
final class WatcherEventLog: Sendable {
    private let state = Mutex<(events: [WatcherEvent], observers: [UUID: AsyncStream<[WatcherEvent]>.Continuation])>(
        ([], [:]))

    func append(_ event: WatcherEvent) {
        state.withLock { state in
            state.events.append(event)
            for observer in state.observers.values { observer.yield(state.events) }
        }
    }

    var all: [WatcherEvent] { state.withLock { $0.events } }

    /// Waits until the log satisfies `predicate`, woken by each new event.
    func wait(
        _ what: String, timeout: Duration = .seconds(20), until predicate: @escaping @Sendable ([WatcherEvent]) -> Bool
    ) async throws {
        let id = UUID()
        let (snapshots, continuation) = AsyncStream.makeStream(of: [WatcherEvent].self)
        state.withLock { state in
            state.observers[id] = continuation
            continuation.yield(state.events)
        }
        defer { _ = state.withLock { $0.observers.removeValue(forKey: id) } }
        try await kubeWithTimeout(timeout, what) {
            for await snapshot in snapshots where predicate(snapshot) { return }
            throw CancellationError()
        }
    }
}

/// A gate a watcher's event handler can wait at until the test opens it.
final class KubeGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

extension Array where Element == WatcherEvent {
    func count(of predicate: (WatcherEvent) -> Bool) -> Int { filter(predicate).count }

    var syncs: Int { count { $0 == .synced } }

    func has(_ kind: String, _ name: String) -> Bool {
        contains { event in
            switch event {
            case .added(let o): kind == "added" && o.name == name
            case .modified(let o): kind == "modified" && o.name == name
            case .deleted(let o): kind == "deleted" && o.name == name
            case .synced: false
            }
        }
    }
}
