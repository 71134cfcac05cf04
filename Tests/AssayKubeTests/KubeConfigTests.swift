import Foundation
import TestSupport
import Testing

@testable import AssayKube

@Suite("KubeConfig")
struct KubeConfigTests {
    static let primary = KubeconfigFixtures.path("primary.yaml")
    static let secondary = KubeconfigFixtures.path("secondary.yaml")

    static func merged() throws -> KubeConfig {
        try KubeConfig.load(paths: [primary, "/nonexistent/kubeconfig", secondary])
    }

    @Test("KUBECONFIG lists files separated by colons, skipping empty entries, and defaults to ~/.kube/config")
    func pathsFromEnvironment() {
        #expect(KubeConfig.paths(environment: ["KUBECONFIG": "/a:/b::/c", "HOME": "/h"]) == ["/a", "/b", "/c"])
        #expect(KubeConfig.paths(environment: ["HOME": "/home/me"]) == ["/home/me/.kube/config"])
        #expect(KubeConfig.paths(environment: ["KUBECONFIG": "", "HOME": "/h"]) == ["/h/.kube/config"])
    }

    @Test("merging keeps the first file's current-context and names and adds the rest; missing files are skipped")
    func mergeRules() throws {
        let config = try Self.merged()
        #expect(config.currentContext == "dev")
        #expect(config.clusters["dev-cluster"]?.server == "https://dev.example.test:6443")
        #expect(Set(config.contexts.keys) == ["dev", "lab", "lab-data", "gke", "insecure"])
        #expect(config.users["gke-user"]?.exec?.command == "gke-gcloud-auth-plugin")
    }

    @Test("the reversed order makes the second file's current-context and clusters win")
    func mergeOrderMatters() throws {
        let config = try KubeConfig.load(paths: [Self.secondary, Self.primary])
        #expect(config.currentContext == "gke")
        #expect(config.clusters["dev-cluster"]?.server == "https://shadowed.example.test")
    }

    @Test("no existing file is an error that says where it looked")
    func noFile() {
        #expect {
            try KubeConfig.load(paths: ["/nonexistent/a", "/nonexistent/b"])
        } throws: { error in
            "\(error)".contains("/nonexistent/a, /nonexistent/b")
        }
    }

    @Test("current-context gives a token user with the context's namespace and the inline CA")
    func currentContext() throws {
        let connection = try Self.merged().connection()
        #expect(connection.server == "https://dev.example.test:6443")
        #expect(connection.namespace == "evals")
        #expect(connection.auth == .token(KubeSecret("dev-token-not-a-real-secret")))
        guard case .data(let ca) = connection.tls.certificateAuthority else {
            Issue.record("expected inline CA data")
            return
        }
        #expect(ca.revealedText.hasPrefix("-----BEGIN CERTIFICATE-----\ndev-ca"))
        #expect(!connection.tls.insecureSkipVerify)
    }

    @Test(
        "a context override picks the cluster, user and TLS settings of that context",
        arguments: [
            ("lab", "https://[fd00::10]:443", KubeConnection.defaultNamespace),
            ("gke", "https://34.1.2.3", KubeConnection.defaultNamespace),
            ("insecure", "https://127.0.0.1:6443", "scratch"),
        ])
    func contextOverride(context: String, server: String, namespace: String) throws {
        let connection = try Self.merged().connection(context: context)
        #expect(connection.server == server)
        #expect(connection.namespace == namespace)
    }

    @Test("relative certificate and token file paths resolve against the kubeconfig's directory")
    func relativePaths() throws {
        let config = try Self.merged()
        let lab = try config.connection(context: "lab")
        #expect(lab.tls.certificateAuthority == .file("\(KubeconfigFixtures.directory)/certs/lab-ca.pem"))
        #expect(lab.tls.clientCertificate == .file("\(KubeconfigFixtures.directory)/certs/client.pem"))
        #expect(lab.tls.clientKey == .file("/etc/assay/client-key.pem"))
        #expect(lab.tls.serverName == "api.lab.test")
        #expect(lab.auth == .none)
        let insecure = try config.connection(context: "insecure")
        #expect(insecure.auth == .tokenFile("\(KubeconfigFixtures.directory)/tokens/sa-token"))
        #expect(insecure.tls.insecureSkipVerify)
    }

    @Test("client certificate and key data are decoded from base64")
    func certificateData() throws {
        let connection = try Self.merged().connection(context: "lab-data")
        #expect(connection.tls.clientCertificate == .data(KubeSecret("cert")))
        #expect(connection.tls.clientKey == .data(KubeSecret("private-key-bytes")))
    }

    @Test("an exec user carries command, args, env, API version and install hint")
    func execUser() throws {
        let connection = try Self.merged().connection(context: "gke")
        #expect(
            connection.auth
                == .exec(
                    ExecConfig(
                        command: "gke-gcloud-auth-plugin", args: ["--verbose"],
                        env: ["CLOUDSDK_CORE_PROJECT": "assay-dev"], apiVersion: "client.authentication.k8s.io/v1beta1",
                        installHint: "Install gke-gcloud-auth-plugin with gcloud components install.",
                        provideClusterInfo: true)))
    }

    @Test(
        "inconsistent contexts are refused with a message naming the problem",
        arguments: [
            ("ca-and-insecure", "both a certificate authority and insecure-skip-tls-verify"),
            ("token-and-exec", "both a token and an exec plugin"),
            ("half-cert", "both a client certificate and a client key"),
            ("old-provider", "auth-provider gcp"),
            ("missing-user", "user \"nobody\", which is not defined"),
            ("missing-cluster", "cluster \"nowhere\", which is not defined"),
            ("no-such-context", "context \"no-such-context\" is not defined"),
        ])
    func invalidContexts(context: String, message: String) throws {
        let config = try KubeConfig.load(paths: [KubeconfigFixtures.path("invalid.yaml")])
        #expect {
            try config.connection(context: context)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("a kubeconfig without current-context and no override asks for a context")
    func noCurrentContext() throws {
        let config = try KubeConfig.load(paths: [KubeconfigFixtures.path("invalid.yaml")])
        #expect(throws: KubeError.self) { try config.connection() }
    }

    @Test(
        "malformed documents name the field at fault",
        arguments: [
            ("clusters: [{name: x, cluster: {server: 5}}]", "clusters[0].cluster.server"),
            ("clusters: [{cluster: {server: https://x}}]", "clusters[0].name"),
            ("users: [{name: u, user: {client-key-data: '%%%'}}]", "users[0].user.client-key-data"),
            (
                "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]",
                "users[0].user.exec.apiVersion"
            ),
            ("clusters: [{name: x, cluster: {server: https://x}}", "not valid YAML"),
        ])
    func malformed(yaml: String, expected: String) {
        #expect {
            try KubeConfig.parse(yaml, directory: "/tmp")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("tokens and key data never appear in descriptions of the connection or the config")
    func secretsRedacted() throws {
        let config = try Self.merged()
        let text = "\(config) \(try config.connection()) \(try config.connection(context: "lab-data"))"
        #expect(!text.contains("dev-token-not-a-real-secret"))
        #expect(!text.contains("private-key-bytes"))
        var dumped = ""
        dump(try config.connection(), to: &dumped)
        #expect(!dumped.contains("dev-token-not-a-real-secret"))
    }
}

@Suite("KubeConnection")
struct KubeConnectionTests {
    @Test("inference prefers KUBECONFIG, then the in-cluster environment, then ~/.kube/config")
    func inferenceOrder() throws {
        let dir = try KubeconfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try KubeconfigFixtures.write("t", to: "\(dir)/token")
        try KubeconfigFixtures.write("ca", to: "\(dir)/ca.crt")
        let fromFile = try KubeConnection.infer(environment: [
            "KUBECONFIG": KubeConfigTests.primary, "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            "KUBERNETES_SERVICE_PORT": "443",
        ])
        #expect(fromFile.server == "https://dev.example.test:6443")
        let withContext = try KubeConnection.infer(
            context: "lab", environment: ["KUBECONFIG": KubeConfigTests.primary])
        #expect(withContext.server == "https://[fd00::10]:443")
        #expect(throws: KubeError.self) {
            try KubeConnection.infer(environment: ["HOME": dir])
        }
    }
}
