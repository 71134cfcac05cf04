import Foundation
import Testing

/// The built `assay-kube-emulator` next to the test bundle, when it was built.
enum EmulatorExecutable {
    static var path: String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("assay-kube-emulator")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return nil
    }
}

@Suite("The assay-kube-emulator executable", .enabled(if: EmulatorExecutable.path != nil))
struct KubeExecutableTests {
    @Test("it prints its port, writes a kubeconfig kubectl can use, and exits cleanly on SIGTERM")
    func startAndStop() throws {
        let directory = NSTemporaryDirectory() + "assay-kube-exe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kubeconfig = "\(directory)/kubeconfig"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(EmulatorExecutable.path))
        process.arguments = ["--port", "0", "--kubeconfig-out", kubeconfig]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let lines = LineCollector()
        let handle = output.fileHandleForReading
        Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                for line in String(decoding: chunk, as: UTF8.self).split(separator: "\n") { lines.append(String(line)) }
            }
        }.start()
        let banner = try #require(lines.wait { $0.hasPrefix("listening on 127.0.0.1:") })
        let port = try #require(UInt16(banner.dropFirst("listening on 127.0.0.1:".count)))
        #expect(port > 0)
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        #expect(config.contains("server: http://127.0.0.1:\(port)"))
        if Kubectl.available {
            let result = try Kubectl(kubeconfig: kubeconfig, directory: directory).run([
                "get", "namespaces", "-o", "name",
            ])
            #expect(result.output.contains("namespace/default"))
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
