import Foundation

/// Runs a child process to completion on a dedicated thread (pipes and `waitUntilExit` block),
/// so that Swift's cooperative pool is never held up.
enum BlockingProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// `command` is looked up on `PATH` unless it contains a `/`; `environment` is added to ours.
    static func run(command: String, arguments: [String], environment: [String: String]) async throws(KubeError)
        -> Output
    {
        let result: Result<Output, KubeError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(command, arguments, environment))
            }
            thread.name = "kube-exec"
            thread.start()
        }
        return try result.get()
    }

    private static func runBlocking(_ command: String, _ arguments: [String], _ environment: [String: String])
        -> Result<Output, KubeError>
    {
        let process = Process()
        if command.contains("/") {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [command] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(.credentials("cannot start \(command): \(error.localizedDescription)"))
        }
        // stderr is drained on a second thread so that a chatty plugin cannot fill its pipe and stall.
        let errorBox = ByteBox()
        let drained = DispatchSemaphore(value: 0)
        let errorThread = Thread {
            errorBox.bytes = [UInt8](stderr.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        errorThread.start()
        let out = [UInt8](stdout.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        drained.wait()
        return .success(Output(status: process.terminationStatus, stdout: out, stderr: errorBox.bytes))
    }

    /// Hands stderr's bytes from the draining thread to the waiting one (ordered by the semaphore).
    private final class ByteBox: @unchecked Sendable {
        var bytes: [UInt8] = []
    }
}
