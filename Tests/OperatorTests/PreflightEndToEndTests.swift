import AssayCore
import AssayKube
import Foundation
import Suites
import TestSupport
import Testing

/// A suite whose provider key is missing from its Secret: the evaluator pods start, their
/// preflight names the Secret and key on the suite, and the operator ends the run as Failed with
/// that message before any case runs.
@Suite(
    "The preflight in a cluster", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct PreflightEndToEndTests {
    @Test("a Secret without the suite's key fails the run at once with PreflightFailed naming the Secret and key")
    func missingSecretKey() async throws {
        try await OperatorFixture.with { fixture in
            let yaml = fixture.suiteYAML("keyless", cases: 50).replacingOccurrences(
                of: "apiKey: {secretName: llm-keys, key: openai}",
                with: "apiKey: {secretName: llm-keys, key: anthropic}")
            let applied = try fixture.apply(yaml)
            #expect(applied.status == 0, "\(applied.combined)")
            let status = try await fixture.waitForPhase("keyless", "Failed")
            let message =
                #"1 provider cannot be called, so no case was run: no API key: Secret "llm-keys" in namespace "default" has no key "anthropic", or it is empty (target "echo", provider 0)"#
            let conditions = status["conditions"]?.arrayValue ?? []
            for type in ["Ready", "Progressing"] {
                let condition = conditions.first { $0["type"]?.stringValue == type }
                #expect(condition?["status"] == "False", "\(type): \(conditions)")
                #expect(condition?["reason"] == "PreflightFailed", "\(type): \(conditions)")
                #expect(condition?["message"]?.stringValue == message, "\(type): \(conditions)")
            }
            let degraded = conditions.first { $0["type"]?.stringValue == "Degraded" }
            #expect(degraded?["status"] == "True" && degraded?["reason"] == "PreflightFailed")
            #expect(OperatorFixture.int(status["progress"]?["completed"]) == 0)
            #expect(status["completionTime"]?.stringValue != nil)
            let run = try #require(status["runID"]?.stringValue)
            #expect(try await fixture.recordedCaseIDs(run: run).isEmpty, "no case ran")

            // A CI gate sees the failure at once, and the reason is an event too.
            let waited = try fixture.kubectl([
                "wait", "evaluationsuite/keyless", "--for=condition=Ready=false", "--timeout=30s",
            ])
            #expect(waited.output.contains("condition met"), "\(waited.combined)")
            try await eventually("a PreflightFailed event") {
                try fixture.eventReasons(about: "keyless").contains("PreflightFailed")
            }
            try await eventually("the evaluators scaled to zero") {
                let deployment = try await fixture.client.get(
                    .deployment, name: "keyless-evaluators", namespace: "default")
                return deployment["spec"]?["replicas"] == 0
            }
        }
    }
}
