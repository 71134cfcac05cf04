import AssayCore
import Foundation
import TestSupport
import Testing

/// The emulator held to Kubernetes: ``KubeDifferentialScript`` runs against the emulator alone and
/// against the real apiextensions-apiserver (behind the front, `tools/kube-real`), and every step must
/// answer the same, but for the differences listed here and in Sources/KubeEmulator/README.md.
@Suite(
    "The emulator against the real apiextensions-apiserver: one script, the same answers", .serialized,
    .enabled(if: KubeBackend.available.contains(.real), "\(KubeBackend.realMissing ?? "")"))
struct KubeDifferentialTests {
    /// Steps whose outcomes still differ, and why. Keep in step with the emulator's README.
    static let knownDifferences: [String: String] = [:]

    static let crdName = "evaluationsuites.eval.assay.dev"

    @Test("the emulator answers every step of the script as the real server does, but for its listed differences")
    func sameAnswers() async throws {
        let emulator = try EmulatorProcess(backend: .emulator)
        defer { emulator.stop() }
        let real = try EmulatorProcess(backend: .real)
        defer { real.stop() }

        var transcripts: [[(step: String, outcome: JSONValue)]] = []
        for server in [emulator, real] {
            try await prepare(server)
            let runner = KubeDifferentialRunner(server: server, compact: Self.compaction(for: server))
            try await runner.run([
                KubeDifferentialScript.get(
                    "prepare: the CRD", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/\(Self.crdName)")
            ])
            try await runner.run(KubeDifferentialScript.steps)
            transcripts.append(runner.transcript.filter { !$0.step.hasPrefix("prepare:") })
        }
        let (mine, theirs) = (transcripts[0], transcripts[1])
        try #require(mine.count == theirs.count)
        var differing: Set<String> = []
        for (ours, real) in zip(mine, theirs) where ours.outcome != real.outcome {
            differing.insert(ours.step)
            if Self.knownDifferences[ours.step] == nil {
                print(
                    "differs: \(ours.step)\n  emulator: \(JSONWriter.string(ours.outcome))\n  real:     \(JSONWriter.string(real.outcome))"
                )
            }
        }
        #expect(differing == Set(Self.knownDifferences.keys), "steps that differ from the real server")
        // The script exercised what it claims: the real server refused, conflicted and expired.
        let codes = Set(theirs.compactMap { $0.outcome["code"]?.doubleValue.map { Int($0) } })
        #expect(codes.isSuperset(of: [200, 201, 400, 404, 409, 422]), "\(codes)")
        let expired = theirs.first { $0.step == "watch from a compacted resourceVersion" }?.outcome
        #expect(
            JSONWriter.string(expired ?? .null).contains("Expired"), "\(expired.map { JSONWriter.string($0) } ?? "")")
    }

    /// The namespace and the CRD, served.
    func prepare(_ server: EmulatorProcess) async throws {
        for arguments in [
            ["create", "namespace", KubeDifferentialScript.namespace],
            ["apply", "-f", Repository.path("config/crd/evaluationsuites.yaml")],
        ] {
            let result = try server.kubectl(arguments)
            try #require(result.status == 0, "kubectl \(arguments.joined(separator: " ")): \(result.combined)")
        }
        try await server.waitUntilServed(.evaluationSuite, timeout: .seconds(30))
    }

    /// Forgets history: the emulator through its hook; the real server's etcd compacts everything
    /// up to its current revision (watches from before its watch cache started get 410 anyway).
    static func compaction(for server: EmulatorProcess) -> () async throws -> Void {
        {
            switch server.backend {
            case .emulator: try await server.hook("expire-history")
            case .real:
                let endpoints = try String(contentsOfFile: "\(server.directory)/endpoints", encoding: .utf8)
                let etcd = try #require(endpoints.split(separator: "\n").first { $0.hasPrefix("etcd=") }?.dropFirst(5))
                // etcd's JSON gateway: a range read tells the current revision, then compact to it.
                let range = try await LocalHTTP.send("POST", "\(etcd)/v3/kv/range", body: #"{"key": "AA=="}"#)
                let revision = try #require(
                    try JSONParser.parse(Array(range.body.utf8))["header"]?["revision"]?.stringValue)
                let compacted = try await LocalHTTP.send(
                    "POST", "\(etcd)/v3/kv/compaction", body: #"{"revision": "\#(revision)", "physical": true}"#)
                try #require(compacted.status == 200, "\(compacted.body)")
            }
        }
    }
}
