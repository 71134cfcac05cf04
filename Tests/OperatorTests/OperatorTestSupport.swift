import Foundation
import Testing

/// Paths and processes the operator tests share.
enum Repository {
    /// The repository root, from this file's place in Tests/OperatorTests.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func path(_ relative: String) -> String { "\(root)/\(relative)" }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Executables built next to the running test bundle (`swift build --build-tests` builds them all).
enum BuiltExecutable {
    static func path(_ name: String) -> String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return nil
    }
}

/// A finished child process.
struct ProcessResult: Sendable {
    var status: Int32
    var output: String
    var error: String

    var combined: String { output + error }
}

enum Command {
    /// Runs `executable` to completion, reading both pipes concurrently so neither can fill up.
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
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

    static func available(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
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

/// A running `assay-kube-emulator` with a kubeconfig, stopped by ``stop()``.
final class EmulatorProcess: @unchecked Sendable {
    static let kubectl = "/usr/bin/kubectl"
    static var executable: String? { BuiltExecutable.path("assay-kube-emulator") }

    let directory: String
    let kubeconfig: String
    private let process = Process()

    init() throws {
        directory = NSTemporaryDirectory() + "assay-operator-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        kubeconfig = "\(directory)/kubeconfig"
        guard let executable = Self.executable else {
            throw EmulatorMissing()
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port", "0", "--kubeconfig-out", kubeconfig]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The banner is printed once the listener and the kubeconfig are ready.
        var banner = Data()
        let handle = output.fileHandleForReading
        while !banner.contains(10) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            banner.append(chunk)
        }
        guard String(decoding: banner, as: UTF8.self).hasPrefix("listening on ") else {
            stop()
            throw EmulatorMissing()
        }
    }

    struct EmulatorMissing: Error, CustomStringConvertible {
        var description: String {
            "assay-kube-emulator did not start; build it with `swift build --scratch-path .build-operator --build-tests`"
        }
    }

    func kubectl(_ arguments: [String]) throws -> ProcessResult {
        try Command.run(Self.kubectl, ["--kubeconfig", kubeconfig] + arguments)
    }

    func write(_ name: String, _ contents: String) throws -> String {
        let path = "\(directory)/\(name)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
