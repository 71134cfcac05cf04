import AssayKube
import Foundation
import TestSupport
import Testing

/// The client against a real API server's TLS: Kubernetes' apiextensions-apiserver (`tools/kube-real`)
/// serves a certificate from its own CA and requires a client certificate. Every kubeconfig form a
/// cluster hands out is read as kubectl reads it, and verification is off only where a kubeconfig says so.
@Suite(
    "KubeClient against the real API server's TLS", .serialized,
    .enabled(if: KubeBackend.available.contains(.real), "\(KubeBackend.realMissing ?? "")"))
struct KubeRealTLSTests {
    static let crds = ResourceKind(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)

    enum Outcome: Equatable {
        case lists
        case tlsFailure
        case refused(Int)
    }

    struct Case: CustomStringConvertible {
        var description: String
        /// The cluster stanza's TLS lines and the user's credential lines, `PKI` standing for the
        /// certificates' directory and `DATA(file)` for a file's base64.
        var cluster: [String]
        var user: [String]
        var expected: Outcome
    }

    static let cases: [Case] = [
        Case(
            description: "CA, client certificate and key inline (*-data)",
            cluster: ["certificate-authority-data: DATA(ca.crt)"],
            user: ["client-certificate-data: DATA(admin.crt)", "client-key-data: DATA(admin.key)"], expected: .lists),
        Case(
            description: "CA, client certificate and key as files",
            cluster: ["certificate-authority: PKI/ca.crt"],
            user: ["client-certificate: PKI/admin.crt", "client-key: PKI/admin.key"], expected: .lists),
        Case(
            description: "tls-server-name naming a name the certificate holds",
            cluster: ["certificate-authority: PKI/ca.crt", "tls-server-name: localhost"],
            user: ["client-certificate: PKI/admin.crt", "client-key: PKI/admin.key"], expected: .lists),
        Case(
            description: "insecure-skip-tls-verify without a CA",
            cluster: ["insecure-skip-tls-verify: true"],
            user: ["client-certificate: PKI/admin.crt", "client-key: PKI/admin.key"], expected: .lists),
        Case(
            description: "no CA: the system's bundle does not know the server's",
            cluster: [], user: ["client-certificate: PKI/admin.crt", "client-key: PKI/admin.key"],
            expected: .tlsFailure),
        Case(
            description: "another CA", cluster: ["certificate-authority: PKI/other-ca.crt"],
            user: ["client-certificate: PKI/admin.crt", "client-key: PKI/admin.key"], expected: .tlsFailure),
        Case(
            description: "tls-server-name the certificate does not hold",
            cluster: ["certificate-authority: PKI/ca.crt", "tls-server-name: elsewhere.example"],
            user: ["client-certificate: PKI/admin.crt", "client-key: PKI/admin.key"], expected: .tlsFailure),
        Case(
            description: "no client certificate: anonymous, and not authorized",
            cluster: ["certificate-authority: PKI/ca.crt"], user: ["token: not-a-token"], expected: .refused(401)),
    ]

    @Test("each kubeconfig form reaches the real server, or fails the way it must")
    func kubeconfigForms() async throws {
        let server = try EmulatorProcess(backend: .real)
        defer { server.stop() }
        let pki = "\(server.directory)/pki"
        // A CA the server's certificate does not come from.
        let other = try Command.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=other-ca", "-keyout", "\(pki)/other-ca.key", "-out", "\(pki)/other-ca.crt",
            ])
        try #require(other.status == 0, "\(other.combined)")
        let endpoints = try String(contentsOfFile: "\(server.directory)/endpoints", encoding: .utf8)
        let url = try #require(endpoints.split(separator: "\n").first { $0.hasPrefix("real=") }?.dropFirst(5))

        for testCase in Self.cases {
            func expand(_ line: String) throws -> String {
                var line = line.replacingOccurrences(of: "PKI", with: pki)
                if let open = line.range(of: "DATA("),
                    let close = line.range(of: ")", range: open.upperBound..<line.endIndex)
                {
                    let file = String(line[open.upperBound..<close.lowerBound])
                    let data = try Data(contentsOf: URL(fileURLWithPath: "\(pki)/\(file)"))
                    line.replaceSubrange(open.lowerBound..<close.upperBound, with: data.base64EncodedString())
                }
                return line
            }
            let kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: real
                  cluster:
                    server: \(url)
                \(try testCase.cluster.map { "    " + (try expand($0)) }.joined(separator: "\n"))
                users:
                - name: user
                  user:
                \(try testCase.user.map { "    " + (try expand($0)) }.joined(separator: "\n"))
                contexts:
                - name: real
                  context: {cluster: real, user: user}
                current-context: real

                """
            let path = try server.write("case.kubeconfig", kubeconfig)
            let client = KubeClient(
                connection: try KubeConfig.load(paths: [path]).connection(),
                rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
            let outcome: Outcome
            do {
                _ = try await client.list(Self.crds)
                outcome = .lists
            } catch .transport(.tls) {
                outcome = .tlsFailure
            } catch .api(let status) {
                outcome = .refused(status.code)
            } catch {
                Issue.record("\(testCase): unexpected \(error)")
                continue
            }
            #expect(outcome == testCase.expected, "\(testCase)")
        }
    }
}
