import Foundation
import Synchronization
import TestSupport

@testable import AssayKube

/// Shared helpers of the Kube tests: fixture paths, temporary directories, a manual clock.
enum KubeFixtures {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kube").path
    }

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// A fresh directory under the system's temporary directory; removed by the caller.
    static func temporaryDirectory() throws -> String { try TemporaryDirectory(prefix: "kube-tests").path }

    static func write(_ text: String, to path: String, executable: Bool = false) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }
}

extension KubeObject {
    /// A ConfigMap with `name` at resourceVersion `rv`, for watcher and cache tests.
    static func configMap(_ name: String, rv: String, namespace: String = "default") -> KubeObject {
        var object = KubeObject(.configMap, name: name, namespace: namespace)
        object.resourceVersion = rv
        return object
    }
}
