import Foundation
import TestSupport
import Testing

/// `tools/kube-real-build` (run by bin/setup) says which step let it down.
@Suite("Building the real apiextensions-apiserver")
struct KubeRealBuildTests {
    @Test("an archive that cannot be reached fails the update step, by name, and leaves apt's own state alone")
    func unreachableArchive() throws {
        let cache = try TemporaryDirectory(prefix: "kube-real-cache")
        defer { cache.remove() }
        let before = try? Data(contentsOf: URL(fileURLWithPath: "/var/lib/dpkg/status"))
        // Nothing listens on the discard port.
        let result = try Command.run(
            Repository.path("tools/kube-real-build"), [],
            environment: ["KUBE_REAL_CACHE": cache.path, "KUBE_REAL_ARCHIVE": "http://127.0.0.1:9/debian"],
            timeout: .seconds(120))
        #expect(result.status == 1)
        #expect(result.error.contains("kube-real-build: step 'update' failed"), "\(result.combined)")
        // apt worked in the private directory, not on the system's sources or dpkg database.
        #expect(FileManager.default.fileExists(atPath: "\(cache.path)/apt/etc/sources.list"))
        let after = try? Data(contentsOf: URL(fileURLWithPath: "/var/lib/dpkg/status"))
        #expect(after == before)
    }
}
