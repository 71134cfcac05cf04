import Foundation

/// Paths in the repository the tests run from.
public enum Repository {
    /// The repository root, from this file's place in Tests/TestSupport.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    public static func path(_ relative: String) -> String { "\(root)/\(relative)" }

    public static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Executables built next to the running test bundle (`swift build --build-tests` builds them all,
/// under whatever `--scratch-path`).
public enum BuiltExecutable {
    public static let evaluator = "assay-evaluator"
    public static let operatorName = "assay-operator"
    public static let kubeEmulator = "assay-kube-emulator"
    public static let providerEmulator = "assay-provider-emulator"

    /// The path of the built executable `name`, or `nil` when it is not built.
    public static func path(_ name: String) -> String? {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first, !first.isEmpty {
            var directory = URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent()
            // On macOS the test binary sits inside `<name>.xctest/Contents/MacOS/`.
            while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            candidates += [directory, directory.deletingLastPathComponent()]
        }
        for candidate in candidates {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return nil
    }

    /// The first `name` on `PATH` (for system tools such as redis-server and kubectl).
    public static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

/// A directory under the system's temporary directory for one test, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates `<tmp>/<prefix>-<uuid>`.
    public init(prefix: String) throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `contents` to `name` in the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String) throws -> String {
        let file = file(name)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
