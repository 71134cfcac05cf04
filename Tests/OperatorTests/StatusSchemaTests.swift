import AssayCore
import AssayKube
import Foundation
import Suites
import TestSupport
import Testing

/// The status the evaluators and the operator write is kept whole by the CRD's schema, on the
/// emulator and on the real apiextensions-apiserver (where `tools/kube-real` is built): a member
/// the schema lacks would be pruned without an error.
@Suite("Status schema: intervals survive the real server's pruning", .serialized)
struct StatusSchemaTests {
    /// A run of 6 cases × 2 repeats of target `a`: c0–c3 pass both, c4 one, c5 none.
    static func progress() -> SuiteProgress {
        var results: [CaseResult] = []
        for repeatIndex in 1...2 {
            for index in 0..<6 {
                let passed = index < 4 || (index == 4 && repeatIndex == 1)
                results.append(
                    CaseResult(
                        caseID: "c\(index)",
                        targets: [
                            TargetResult(
                                target: "a", output: "", passed: passed, score: passed ? 0.9 : 0.2, criteria: [])
                        ], consumer: "t", repeat: repeatIndex))
            }
        }
        let info = RunInfo(
            id: RunID("run-schema")!, suiteName: "s", total: 12, targets: ["a"], criteria: [], passThreshold: 0.5,
            repeats: 2)
        return SuiteProgress(RunTally(results).aggregates(info: info, seeded: true, cancelled: false))
    }

    @Test(
        "targets[] keeps passRateInterval, meanScore and meanScoreInterval; a mistyped bound is refused",
        arguments: KubeBackend.available)
    func intervalsKept(backend: KubeBackend) async throws {
        let server = try EmulatorProcess(backend: backend)
        defer { server.stop() }
        try await server.installCRD(at: Repository.path("config/crd/evaluationsuites.yaml"), serving: .evaluationSuite)
        var suite = KubeObject(try JSONParser.parse(Array(KubeDifferentialScript.suite("intervals").utf8)))
        suite["metadata"] = ["name": "intervals", "namespace": "default"]
        _ = try await server.client.create(suite, as: .evaluationSuite)

        let progress = Self.progress()
        let written = try #require(progress.targets.first)
        #expect(written.passRateInterval?.method == "cluster-robust" && written.meanScoreInterval != nil)
        let patched = try await server.client.patchStatus(
            .evaluationSuite, name: "intervals", namespace: "default", .merge(progress.mergePatch))
        let target = patched.json["status"]?["targets"]?.arrayValue?.first
        #expect(target?["meanScoreInterval"] == written.meanScoreInterval?.json)
        #expect(target?["passRateInterval"] == written.passRateInterval?.json)
        #expect(target?["meanScore"]?.doubleValue == written.meanScore)
        let read = try await server.client.get(.evaluationSuite, name: "intervals", namespace: "default")
        #expect(SuiteProgress(status: read["status"]) == progress)

        let mistyped: JSONValue = [
            "status": ["targets": [["name": "a", "passed": 1, "failed": 0, "meanScoreInterval": ["low": "high"]]]]
        ]
        await #expect(throws: KubeError.self) {
            _ = try await server.client.patchStatus(
                .evaluationSuite, name: "intervals", namespace: "default", .merge(mistyped))
        }
    }
}
