import Foundation
import TestSupport
import Testing

@testable import AssayKube

@Suite("InClusterConfig")
struct KubeInClusterConfigTests {
    @Test(
        "the server URL brackets IPv6 hosts",
        arguments: [
            ("10.96.0.1", "443", "https://10.96.0.1:443"),
            ("fd00:10:96::1", "443", "https://[fd00:10:96::1]:443"),
            ("[fd00::1]", "6443", "https://[fd00::1]:6443"),
            ("kubernetes.default.svc", "443", "https://kubernetes.default.svc:443"),
        ])
    func serverURL(host: String, port: String, expected: String) {
        #expect(InClusterConfig(host: host, port: port).server == expected)
    }

    @Test("missing KUBERNETES_SERVICE_HOST or _PORT means not in a cluster")
    func missingEnvironment() {
        #expect(throws: KubeError.self) { try InClusterConfig(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"]) }
        #expect(throws: KubeError.self) { try InClusterConfig(environment: [:]) }
    }

    @Test("the service account directory gives the token file, CA file and namespace")
    func serviceAccount() throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try KubeconfigFixtures.write("token-one\n", to: "\(dir)/token")
        try KubeconfigFixtures.write("ca", to: "\(dir)/ca.crt")
        try KubeconfigFixtures.write("assay-system\n", to: "\(dir)/namespace")
        let config = try InClusterConfig(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], directory: dir)
        let connection = try config.connection()
        #expect(connection.server == "https://[fd00::1]:443")
        #expect(connection.namespace == "assay-system")
        #expect(connection.auth == .tokenFile("\(dir)/token"))
        #expect(connection.tls.certificateAuthority == .file("\(dir)/ca.crt"))
        #expect(!connection.tls.insecureSkipVerify)
    }

    @Test("without a namespace file the namespace is default; without a token it is an error")
    func missingFiles() throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = InClusterConfig(host: "10.0.0.1", port: "443", directory: dir)
        #expect {
            try config.connection()
        } throws: { error in
            "\(error)".contains("automountServiceAccountToken")
        }
        try KubeconfigFixtures.write("t", to: "\(dir)/token")
        try KubeconfigFixtures.write("ca", to: "\(dir)/ca.crt")
        #expect(try config.connection().namespace == "default")
    }

    @Test("a rotated token file is re-read once the refresh period has passed")
    func tokenRotation() async throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try KubeconfigFixtures.write("token-one\n", to: "\(dir)/token")
        let rereading = KubeAuthenticator(.tokenFile("\(dir)/token"), tokenFileRefresh: .zero)
        let caching = KubeAuthenticator(.tokenFile("\(dir)/token"), tokenFileRefresh: .seconds(3600))
        #expect(try await rereading.authorization()?.revealedText == "Bearer token-one")
        #expect(try await caching.authorization()?.revealedText == "Bearer token-one")
        try KubeconfigFixtures.write("token-two\n", to: "\(dir)/token")
        #expect(try await rereading.authorization()?.revealedText == "Bearer token-two")
        #expect(try await caching.authorization()?.revealedText == "Bearer token-one")
        await caching.invalidate()
        #expect(try await caching.authorization()?.revealedText == "Bearer token-two")
    }
}
