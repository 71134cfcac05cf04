import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var output: String
    public var error: String

    public var combined: String { output + error }

    public init(status: Int32, output: String, error: String) {
        self.status = status
        self.output = output
        self.error = error
    }
}

/// Short-lived commands run to completion.
public enum Command {
    /// Runs `executable` to completion, reading both pipes concurrently so neither can fill up.
    /// `environment` is added to (and overrides) the test's own. With a `timeout`, a command still
    /// running after it is killed (SIGKILL), so a hung command fails its test instead of hanging it.
    public static func run(
        _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
        input: String? = nil, timeout: Duration? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let stdin = input.map { _ in Pipe() }
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        let watchdog = timeout.map { limit in
            let running = RunningProcess(process)
            let item = DispatchWorkItem { running.kill() }
            DispatchQueue.global().asyncAfter(deadline: .now() + limit.dispatchSeconds, execute: item)
            return item
        }
        defer { watchdog?.cancel() }
        if let stdin, let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let err = errorData.wait()
        return ProcessResult(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }

    public static func available(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}

/// A started `Process` a watchdog may kill while another thread waits for it.
private final class RunningProcess: @unchecked Sendable {
    private let process: Process
    init(_ process: Process) { self.process = process }
    func kill() { if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) } }
}

extension Duration {
    /// The duration in seconds, for Dispatch deadlines.
    fileprivate var dispatchSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Data handed from a reader thread, waited for with a condition (no polling).
final class LockedData: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}

/// A wait that did not end before its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var what: String
    public var limit: Duration

    public init(_ what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }

    public var description: String { "timed out after \(limit) waiting for \(what)" }
}

/// Runs `body`, throwing ``DeadlineExceeded`` if it has not finished within `limit` (the body is
/// then cancelled).
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(what, limit: limit)
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw DeadlineExceeded(what, limit: limit) }
        return result
    }
}

/// Checks `condition` every `interval` until it holds; throws ``DeadlineExceeded`` after `limit`.
/// For state nobody announces (an HTTP endpoint, a file); prefer an event where there is one.
public func eventually(
    _ what: String, within limit: Duration = .seconds(20), every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw DeadlineExceeded(what, limit: limit) }
        try await Task.sleep(for: interval)
    }
}
