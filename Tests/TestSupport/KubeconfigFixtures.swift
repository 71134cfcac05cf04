import Foundation

/// Kubeconfig, token and CA files for the Kubernetes client's tests: the checked-in ones under
/// Tests/AssayKubeTests/Fixtures/kube, and fresh directories to write others into.
public enum KubeconfigFixtures {
    public static var directory: String { Repository.path("Tests/AssayKubeTests/Fixtures/kube") }

    public static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// A fresh directory under the system's temporary directory; removed by the caller.
    public static func temporaryDirectory() throws -> String { try TemporaryDirectory(prefix: "kube-tests").path }

    public static func write(_ text: String, to path: String, executable: Bool = false) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }
}
