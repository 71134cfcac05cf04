import Testing

@testable import Suites

/// A suite file is its local user's own input; an `EvaluationSuite` resource is anyone's who may
/// create one in the namespace, so it takes keys only from the namespace's Secrets.
@Suite("Keys of a suite in a cluster come only from apiKey Secret references")
struct SpecResourceKeyTests {
    static func suite(provider: String, judge: String = "") -> String {
        """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: keys}
        spec:
          targets:
          - name: t
            prompt: "{{input}}"
            providers:
            - {type: openai, model: m, apiKey: {secretName: llm-keys, key: openai}}
            - \(provider)
        \(judge)
          dataset:
            cases: [{id: c1, input: x}]
          criteria: [{type: contains, value: x}]
        """
    }

    @Test(
        "a resource naming an environment variable or a file is refused at that field, with its line",
        arguments: [
            (
                suite(provider: "{type: openai, model: m, apiKeyEnv: HOME}"), "spec.targets[0].providers[1].apiKeyEnv",
                10
            ),
            (
                suite(
                    provider:
                        "{type: openai, model: m, apiKeyFile: /var/run/secrets/kubernetes.io/serviceaccount/token}"),
                "spec.targets[0].providers[1].apiKeyFile", 10
            ),
            (
                suite(
                    provider: "{type: openai, model: m}",
                    judge: "  judge:\n    providers: [{type: openai, model: j, apiKeyFile: /etc/hostname}]"),
                "spec.judge.providers[0].apiKeyFile", 12
            ),
        ])
    func resourceRefusesKeySources(text: String, path: String, line: Int) throws {
        #expect {
            try EvaluationSuite.parse(text, source: "suite.yaml", providers: .resource)
        } throws: { error in
            guard case .invalid(_, let field, let at) = error as? SuiteError else { return false }
            return field.path == path && at == line
                && field.message.contains("cannot name an environment variable or a file")
        }
        // The same text is a local user's own file, and runs.
        let local = try EvaluationSuite.parse(text, source: "suite.yaml")
        #expect(local.spec.targets[0].providers.count == 2)
    }

    @Test("in a resource apiKey becomes the pod's Secret variable; a provider without one sends no key")
    func resourceKeys() throws {
        let text = Self.suite(provider: "{type: anthropic, model: c}")
        let resource = try EvaluationSuite.parse(text, source: "suite.yaml", providers: .resource)
        let providers = resource.spec.targets[0].providers.map(\.config)
        #expect(providers[0].apiKeySource == .environment("ASSAY_SECRET_LLM_KEYS_OPENAI"))
        #expect(providers[1].apiKeySource == .none)
        let local = try EvaluationSuite.parse(text, source: "suite.yaml")
        #expect(local.spec.targets[0].providers[1].config.apiKeySource == .defaultEnvironment("ANTHROPIC_API_KEY"))
    }

    @Test("an llmJudge criterion with its own judge needs no spec.judge")
    func criterionJudge() throws {
        let text = Self.suite(provider: "{type: openai, model: m}").replacingOccurrences(
            of: "criteria: [{type: contains, value: x}]",
            with: "criteria: [{type: llmJudge, rubric: r, threshold: 3, judge: [{type: openai, model: j}]}]")
        #expect(try EvaluationSuite.parse(text, source: "suite.yaml").spec.criteria.count == 1)
        #expect {
            try EvaluationSuite.parse(
                text.replacingOccurrences(of: ", judge: [{type: openai, model: j}]", with: ""), source: "suite.yaml")
        } throws: { error in
            String(describing: error).contains("spec.criteria[0]: is an llmJudge criterion without a judge")
        }
    }
}
