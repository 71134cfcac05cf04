import Foundation
import TestSupport
import Testing

/// Anyone who may create an EvaluationSuite in a namespace could otherwise point an evaluator pod's
/// key at any variable or file of that pod (its ServiceAccount token, another suite's Secret):
/// a resource takes keys only from `apiKey` Secret references. On both backends: the real
/// apiextensions-apiserver stores such a provider as written (its items preserve unknown fields,
/// so the operator, not pruning, is what refuses it).
@Suite(
    "An EvaluationSuite resource cannot name an environment variable or a file", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct ResourceKeyTests {
    @Test(
        "apiKeyEnv or apiKeyFile in a resource's provider or judge: phase Invalid naming the field, nothing created",
        arguments: KubeBackend.available)
    func refusedAtTheField(backend: KubeBackend) async throws {
        try await OperatorFixture.with(backend: backend) { fixture in
            let keyed = "      apiKey: {secretName: llm-keys, key: openai}\n"
            let cases: [(String, String, String)] = [
                ("env", "      apiKeyEnv: ASSAY_REDIS_URL\n", "spec.targets[0].providers[0].apiKeyEnv"),
                (
                    "file", "      apiKeyFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n",
                    "spec.targets[0].providers[0].apiKeyFile"
                ),
            ]
            for (name, replacement, field) in cases {
                let yaml = fixture.suiteYAML("key-\(name)", cases: 1).replacingOccurrences(of: keyed, with: replacement)
                #expect(try fixture.apply(yaml, as: "key-\(name)").status == 0)
                let status = try await fixture.waitForPhase("key-\(name)", "Invalid")
                let ready = status["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
                #expect(ready?["reason"] == "InvalidSpec")
                #expect(
                    ready?["message"]?.stringValue?.hasPrefix(
                        "\(field): cannot be set in an EvaluationSuite resource: a resource cannot name an environment variable or a file"
                    ) == true, "\(String(describing: ready))")
                #expect(try await !fixture.exists(.deployment, "key-\(name)-evaluators"))
            }
            let judge = fixture.suiteYAML(
                "key-judge", cases: 1,
                extraCriteria:
                    "  - {type: llmJudge, rubric: r, threshold: 3, judge: [{type: openai, model: j, apiKeyFile: /etc/hostname}]}"
            )
            #expect(try fixture.apply(judge, as: "key-judge").status == 0)
            let status = try await fixture.waitForPhase("key-judge", "Invalid")
            let message = status["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["message"]?.stringValue
            #expect(message?.hasPrefix("spec.criteria[2].judge[0].apiKeyFile:") == true, "\(message ?? "")")
        }
    }
}
