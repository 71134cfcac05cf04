import Foundation
import Synchronization

/// Runs one of the package's built executables (next to the test binary, whatever the scratch
/// path) as a child process, reads
/// its standard error line by line, and lets a test wait for a line instead of sleeping.
final class ServerProcess: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case notBuilt(String)
        case exitedEarly(Int32, String)
        case timedOut(String)

        var description: String {
            switch self {
            case .notBuilt(let path): "\(path) is not built; run `swift build` first"
            case .exitedEarly(let status, let output): "exited with \(status) before it was ready:\n\(output)"
            case .timedOut(let what): "timed out waiting for \(what)"
            }
        }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The built executable `name`: in the directory of the running test binary (SwiftPM puts
    /// executables and the test bundle side by side under any `--scratch-path`), else in the
    /// default `.build/debug`.
    static func executable(_ name: String) -> URL {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first, !first.isEmpty {
            var directory = URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent()
            // On macOS the binary sits inside `<name>.xctest/Contents/MacOS/`.
            while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            candidates.append(directory.appendingPathComponent(name))
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(name))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return repositoryRoot.appendingPathComponent(".build/debug/\(name)")
    }

    /// Captured output lines, shared with the pipes' readability handlers.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        let partial = Mutex<[UInt8]>([])

        func append(_ data: Data) {
            let complete: [String] = partial.withLock { bytes in
                bytes.append(contentsOf: data)
                var found: [String] = []
                while let newline = bytes.firstIndex(of: 10) {
                    found.append(String(decoding: bytes[..<newline], as: UTF8.self))
                    bytes.removeSubrange(...newline)
                }
                return found
            }
            if !complete.isEmpty { lines.withLock { $0.append(contentsOf: complete) } }
        }
    }

    let process: Process
    private let captured = Lines()
    private let stderrPipe = Pipe()
    private let stdoutPipe = Pipe()

    init(_ name: String, arguments: [String], environment: [String: String] = [:]) throws {
        let url = Self.executable(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw Failure.notBuilt(url.path) }
        process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = stderrPipe
        process.standardOutput = stdoutPipe
        let captured = self.captured
        let sink: @Sendable (FileHandle) -> Void = { handle in captured.append(handle.availableData) }
        stderrPipe.fileHandleForReading.readabilityHandler = sink
        stdoutPipe.fileHandleForReading.readabilityHandler = sink
        try process.run()
    }

    var output: [String] { captured.lines.withLock { $0 } }

    /// Waits until a line satisfies `predicate`, polling the captured output every 20 ms.
    func waitForLine(
        timeout: Duration = .seconds(20), _ description: String, where predicate: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.first(where: predicate) { return line }
            if !process.isRunning {
                if let line = output.first(where: predicate) { return line }
                throw Failure.exitedEarly(process.terminationStatus, output.joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure.timedOut(description)
    }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw Failure.timedOut("exit") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
    }
}
