import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayKube

@Suite("ExecCredentialProvider")
struct KubeExecCredentialProviderTests {
    /// A plugin script that counts its runs in `dir/runs` and prints an ExecCredential whose token
    /// names the run, so a test can tell a cached credential from a fresh one.
    static func plugin(in dir: String, expiration: String?, apiVersion: String = "client.authentication.k8s.io/v1")
        throws -> String
    {
        let expiry = expiration.map { ", \"expirationTimestamp\": \"\($0)\"" } ?? ""
        let script = """
            #!/bin/sh
            echo run >> "\(dir)/runs"
            n=$(wc -l < "\(dir)/runs" | tr -d ' ')
            printf '%s\\n' "$KUBERNETES_EXEC_INFO" > "\(dir)/exec-info"
            cat <<JSON
            {"apiVersion": "\(apiVersion)", "kind": "ExecCredential",
             "status": {"token": "token-$n-$PLUGIN_SUFFIX"\(expiry)}}
            JSON
            """
        let path = "\(dir)/plugin.sh"
        try KubeconfigFixtures.write(script, to: path, executable: true)
        return path
    }

    /// A wall clock the test moves by hand.
    final class WallClock: Sendable {
        private let seconds = Guarded<Double>(0)
        init(_ start: Double) { seconds.withLock { $0 = start } }
        func set(_ value: Double) { seconds.withLock { $0 = value } }
        var now: Double { seconds.withLock { $0 } }
    }

    @Test("the credential is cached until expirationTimestamp, then the plugin runs again")
    func cachesUntilExpiry() async throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expiry = "2030-01-01T00:00:00Z"
        let expirySeconds = try #require(KubeTimestamp.parse(expiry))
        let clock = WallClock(expirySeconds - 100)
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: try Self.plugin(in: dir, expiration: expiry), env: ["PLUGIN_SUFFIX": "x"]),
            server: "https://api.test", now: { clock.now })
        #expect(try await provider.credential().token?.revealedText == "token-1-x")
        clock.set(expirySeconds - 1)
        #expect(try await provider.credential().token?.revealedText == "token-1-x")
        clock.set(expirySeconds)
        #expect(try await provider.credential().token?.revealedText == "token-2-x")
        await provider.invalidate()
        #expect(try await provider.credential().token?.revealedText == "token-3-x")
    }

    @Test("a credential without expirationTimestamp is kept, and concurrent callers share one run")
    func noExpiryAndSharedRun() async throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: try Self.plugin(in: dir, expiration: nil), env: ["PLUGIN_SUFFIX": "y"]))
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<4 { group.addTask { try await provider.credential().token?.revealedText } }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(Set(tokens) == ["token-1-y"])
        let runs = try String(contentsOfFile: "\(dir)/runs", encoding: .utf8)
        #expect(runs.split(separator: "\n").count == 1)
    }

    @Test("KUBERNETES_EXEC_INFO tells the plugin the API version and, when asked for, the cluster")
    func execInfo() async throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = ExecCredentialProvider(
            config: ExecConfig(
                command: try Self.plugin(in: dir, expiration: nil), env: ["PLUGIN_SUFFIX": "z"],
                provideClusterInfo: true),
            server: "https://api.test")
        _ = try await provider.credential()
        let info = try JSONParser.parse(try String(contentsOfFile: "\(dir)/exec-info", encoding: .utf8))
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
        #expect(info["kind"] == "ExecCredential")
        #expect(info["spec"]?["interactive"] == false)
        #expect(info["spec"]?["cluster"]?["server"] == "https://api.test")
    }

    @Test(
        "plugin failures explain themselves without quoting the output",
        arguments: [
            ("#!/bin/sh\necho 'login required' >&2\nexit 3\n", "exited with status 3: login required"),
            ("#!/bin/sh\necho '{\"token\": \"leaked-secret\"'\n", "did not print an ExecCredential"),
            (
                "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"leaked-secret\"}}'\n",
                "expected client.authentication.k8s.io/v1"
            ),
            (
                "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'\n",
                "neither status.token"
            ),
        ])
    func failures(script: String, message: String) async throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try KubeconfigFixtures.write(script, to: "\(dir)/plugin.sh", executable: true)
        let provider = ExecCredentialProvider(config: ExecConfig(command: "\(dir)/plugin.sh"))
        await #expect {
            try await provider.credential()
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("leaked-secret")
        }
    }

    @Test("a plugin missing from PATH reports the kubeconfig's install hint")
    func installHint() async {
        let provider = ExecCredentialProvider(
            config: ExecConfig(command: "assay-no-such-plugin", installHint: "Install it with the package manager."))
        await #expect {
            try await provider.credential()
        } throws: { error in
            "\(error)".contains("Install it with the package manager.")
        }
    }

    @Test(
        "RFC 3339 timestamps parse with fractions and offsets",
        arguments: [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2026-11-24T10:45:00Z", 1_795_517_100.0),
            ("2026-11-24T11:45:00+01:00", 1_795_517_100.0),
            ("2026-11-24T10:45:00.5Z", 1_795_517_100.5),
            ("2000-02-29T00:00:00-00:30", 951_784_200.0),
        ])
    func timestamps(text: String, seconds: Double) {
        #expect(KubeTimestamp.parse(text) == seconds)
    }

    @Test(
        "malformed timestamps are rejected", arguments: ["2026-11-24", "2026-13-01T00:00:00Z", "2026-11-24T10:45:00"])
    func badTimestamps(text: String) {
        #expect(KubeTimestamp.parse(text) == nil)
    }
}
