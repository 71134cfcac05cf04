import Foundation
import TestSupport
import Testing

@Suite(
    "The assay-kube-emulator executable",
    .enabled(if: BuiltExecutable.path(BuiltExecutable.kubeEmulator) != nil))
struct KubeExecutableTests {
    @Test("it prints its port, writes a kubeconfig kubectl can use, and exits cleanly on SIGTERM")
    func startAndStop() throws {
        let directory = try TemporaryDirectory(prefix: "assay-kube-exe")
        defer { directory.remove() }
        let kubeconfig = directory.file("kubeconfig")
        let process = try ChildProcess(
            executable: try #require(BuiltExecutable.path(BuiltExecutable.kubeEmulator)),
            arguments: ["--port", "0", "--kubeconfig-out", kubeconfig], environment: ChildProcess.cleanEnvironment())
        defer { _ = process.kill() }
        let banner = try process.waitForLineBlocking("the listening banner") { $0.hasPrefix("listening on 127.0.0.1:") }
        let port = try #require(UInt16(banner.dropFirst("listening on 127.0.0.1:".count)))
        #expect(port > 0)
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        #expect(config.contains("server: http://127.0.0.1:\(port)"))
        if Kubectl.available {
            let result = try Kubectl(kubeconfig: kubeconfig, directory: directory.path).run([
                "get", "namespaces", "-o", "name",
            ])
            #expect(result.output.contains("namespace/default"))
        }
        process.signal(SIGTERM)
        #expect(process.waitForExitBlocking() == .exited(0))
    }
}
