import Foundation
import TestSupport
import Testing

@testable import AssayHTTP
@testable import AssayKube

/// TLS settings of ``KubeCurlTransport`` against `openssl s_server`, which requires a client
/// certificate (`-Verify 1`) and answers any GET with a status page (`-www`): enough to prove the
/// handshake, server verification and client certificate.
@Suite("KubeCurlTransport TLS", .enabled(if: KubeOpenSSL.path != nil, "openssl is not installed"))
struct KubeCurlTransportTests {
    static var openssl: String? { KubeOpenSSL.path }

    /// A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.
    struct PKI {
        let directory: String
        var ca: String { "\(directory)/ca.pem" }
        var serverCert: String { "\(directory)/server.pem" }
        var serverKey: String { "\(directory)/server.key" }
        var clientCert: String { "\(directory)/client.pem" }
        var clientKey: String { "\(directory)/client.key" }

        static func make() async throws -> PKI {
            let pki = PKI(directory: try KubeconfigFixtures.temporaryDirectory())
            let d = pki.directory
            try KubeconfigFixtures.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n", to: "\(d)/san.ext")
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            try await run(
                ["req", "-x509"] + ec + [
                    "-keyout", "\(d)/ca.key", "-out", pki.ca, "-days", "1", "-subj", "/CN=kube-test-ca",
                ])
            for (name, cn, ext) in [("server", "localhost", true), ("client", "assay-operator", false)] {
                try await run(
                    ["req"] + ec + ["-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=\(cn)"])
                try await run(
                    [
                        "x509", "-req", "-in", "\(d)/\(name).csr", "-CA", pki.ca, "-CAkey", "\(d)/ca.key",
                        "-CAcreateserial",
                        "-out", "\(d)/\(name).pem", "-days", "1",
                    ] + (ext ? ["-extfile", "\(d)/san.ext"] : []))
            }
            return pki
        }

        static func run(_ arguments: [String]) async throws {
            let output = try await BlockingProcess.run(command: openssl!, arguments: arguments, environment: [:])
            #expect(output.status == 0, "openssl \(arguments.first ?? "") failed")
        }

        func pem(_ path: String) throws -> KubeCredentialSource {
            .data(KubeSecret([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
        }
    }

    /// Serves TLS with the PKI until `body` returns.
    static func withServer(_ body: (PKI, String) async throws -> Void) async throws {
        let pki = try await PKI.make()
        defer { try? FileManager.default.removeItem(atPath: pki.directory) }
        let server = try ChildProcess(
            executable: openssl!,
            arguments: [
                "s_server", "-accept", "127.0.0.1:0", "-cert", pki.serverCert, "-key", pki.serverKey, "-CAfile", pki.ca,
                "-Verify", "1", "-www", "-naccept", "10",
            ], environment: ChildProcess.cleanEnvironment())
        defer { server.kill() }
        let accept = try await server.waitForLine("openssl to print ACCEPT") { $0.hasPrefix("ACCEPT ") }
        let port = accept.split(separator: ":").last.map(String.init) ?? ""
        try await body(pki, "https://127.0.0.1:\(port)/")
    }

    static func get(_ url: String, _ tls: KubeTLS) async throws(HTTPClientError) -> ClientResponse {
        try await KubeCurlTransport(tls: tls, timeout: .seconds(10)).send(ClientRequest(method: "GET", url: url))
    }

    @Test("client certificate and CA as files or as inline data complete the handshake; verification stays on")
    func clientCertificates() async throws {
        try await Self.withServer { (pki: PKI, url: String) async throws -> Void in
            let files = KubeTLS(
                certificateAuthority: .file(pki.ca), clientCertificate: .file(pki.clientCert),
                clientKey: .file(pki.clientKey))
            #expect(try await Self.get(url, files).status == 200)
            let data = KubeTLS(
                certificateAuthority: try pki.pem(pki.ca), clientCertificate: try pki.pem(pki.clientCert),
                clientKey: try pki.pem(pki.clientKey))
            #expect(try await Self.get(url, data).status == 200)
        }
    }

    @Test("the server is not trusted without its CA unless the kubeconfig skips verification")
    func verification() async throws {
        try await Self.withServer { (pki: PKI, url: String) async throws -> Void in
            let untrusted = KubeTLS(clientCertificate: .file(pki.clientCert), clientKey: .file(pki.clientKey))
            await #expect {
                try await Self.get(url, untrusted)
            } throws: { error in
                if case .tls = error as? HTTPClientError { return true }
                return false
            }
            var insecure = untrusted
            insecure.insecureSkipVerify = true
            #expect(try await Self.get(url, insecure).status == 200)
        }
    }

    @Test("tls-server-name verifies the certificate against that name while connecting to the URL's address")
    func serverName() async throws {
        try await Self.withServer { (pki: PKI, url: String) async throws -> Void in
            var tls = KubeTLS(
                certificateAuthority: .file(pki.ca), clientCertificate: .file(pki.clientCert),
                clientKey: .file(pki.clientKey), serverName: "localhost")
            #expect(try await Self.get(url, tls).status == 200)
            tls.serverName = "not-in-the-certificate.test"
            await #expect {
                try await Self.get(url, tls)
            } throws: { error in
                if case .tls = error as? HTTPClientError { return true }
                return false
            }
        }
    }

    @Test("a server that requires a client certificate refuses a client without one")
    func missingClientCertificate() async throws {
        try await Self.withServer { (pki: PKI, url: String) async throws -> Void in
            await #expect(throws: HTTPClientError.self) {
                try await Self.get(url, KubeTLS(certificateAuthority: .file(pki.ca)))
            }
        }
    }
}

enum KubeOpenSSL {
    static let path = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}
