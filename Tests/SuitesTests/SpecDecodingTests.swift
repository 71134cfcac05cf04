import AssayCore
import Foundation
import Testing

@testable import AssayResilience
@testable import Suites

@Suite("EvaluationSuite spec")
struct SpecDecodingTests {
    static let valid = """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: capitals}
        spec:
          targets:
          - name: small
            prompt: "Answer in one word: {{input}}"
            providers:
            - type: openai
              model: gpt-4o-mini
              baseURL: http://127.0.0.1:9000/v1
              apiKey: {secretName: llm-keys, key: openai}
              timeoutSeconds: 5
              rateLimit: {requestsPerSecond: 5, burst: 10, tokensPerMinute: 60000}
            - type: anthropic
              model: claude-3-5-haiku-latest
          - name: large
            prompt: "{{input}}"
            providers: [{type: openai, model: gpt-4o}]
          dataset:
            cases:
            - {id: c1, input: France, reference: Paris, output: Paris}
            - {id: c2, input: Spain, reference: Madrid}
          criteria:
          - {type: contains, value: Paris}
          - {type: contains, value: Paris, name: again}
          - {type: contains, value: Paris}
          passThreshold: 0.9
          concurrency: 8
          evaluators: {minReplicas: 2, maxReplicas: 5, targetBacklogPerReplica: 20}
          circuitBreaker: {failureRateThreshold: 0.25, openSeconds: 10}
        """

    @Test("a full suite decodes with every field and documented defaults elsewhere")
    func decodesFullSuite() throws {
        let suite = try EvaluationSuite.parse(Self.valid, source: "suite.yaml")
        #expect(suite.metadata.name == "capitals")
        let spec = suite.spec
        #expect(spec.targets.map(\.name) == ["small", "large"])
        #expect(spec.targets[0].providers.count == 2)
        #expect(spec.targets[0].providers[0].apiKey == SecretKeyRef(secretName: "llm-keys", key: "openai"))
        #expect(spec.targets[0].providers[0].config.apiKeyEnv == "ASSAY_SECRET_LLM_KEYS_OPENAI")
        #expect(spec.targets[0].providers[0].config.rateLimit != nil)
        #expect(spec.targets[0].providers[1].apiKey == nil)
        guard case .inline(let cases) = spec.dataset else {
            Issue.record("expected inline cases")
            return
        }
        #expect(cases.map(\.id) == ["c1", "c2"])
        #expect(cases[0].output == "Paris" && cases[1].output == nil)
        #expect(spec.criteria.count == 3)
        #expect(spec.criterionNames == ["contains", "again", "contains#2"])
        #expect(spec.passThreshold == 0.9 && spec.concurrency == 8)
        #expect(spec.evaluators == EvaluatorScalingSpec(minReplicas: 2, maxReplicas: 5, targetBacklogPerReplica: 20))
        #expect(spec.circuitBreaker.failureRateThreshold == 0.25 && spec.circuitBreaker.openSeconds == 10)
        #expect(spec.circuitBreaker.slidingWindowSize == CircuitBreakerConfiguration.defaultSlidingWindowSize)
    }

    @Test("unset members take the named defaults")
    func defaults() throws {
        let spec = try EvaluationSuiteSpec.decode(
            [
                "targets": [["name": "t", "prompt": "{{input}}", "providers": [["type": "openai", "model": "m"]]]],
                "dataset": ["file": "cases.jsonl"], "criteria": [["type": "isJSON"]],
            ], at: "spec")
        #expect(spec.passThreshold == EvaluationSuiteSpec.defaultPassThreshold)
        #expect(spec.concurrency == EvaluationSuiteSpec.defaultConcurrency)
        #expect(spec.evaluators == EvaluatorScalingSpec())
        #expect(spec.circuitBreaker == CircuitBreakerSpec())
        #expect(spec.dataset == .file("cases.jsonl"))
    }

    /// Each row replaces one line of ``valid`` and expects an error naming `path` and saying `message`.
    @Test(
        "invalid suites are refused with the field path, the line and an actionable message",
        arguments: [
            ("  - name: small", "  - name: ''", "spec.targets[0].name", "must not be empty", 6),
            (
                "      model: gpt-4o-mini", "      model: ''", "spec.targets[0].providers[0].model",
                "must not be empty", 10
            ),
            (
                "      model: claude-3-5-haiku-latest", "      model: 7", "spec.targets[0].providers[1].model",
                "must be a string", 16
            ),
            (
                "      apiKey: {secretName: llm-keys, key: openai}", "      apiKey: {secretName: llm-keys}",
                "spec.targets[0].providers[0].apiKey.key", "is required", 12
            ),
            (
                "    providers: [{type: openai, model: gpt-4o}]", "    providers: []", "spec.targets[1].providers",
                "at least one provider", 19
            ),
            ("  - name: large", "  - name: small", "spec.targets[1].name", "names must be unique", 17),
            (
                "    - {id: c2, input: Spain, reference: Madrid}", "    - {id: c1, input: Spain}",
                "spec.dataset.cases[1].id", "ids must be unique", 23
            ),
            ("  - {type: contains, value: Paris}", "  - {value: Paris}", "spec.criteria[0].type", "is required", 25),
            ("  passThreshold: 0.9", "  passThreshold: 90", "spec.passThreshold", "between 0 and 1", 28),
            ("  concurrency: 8", "  concurrency: 0", "spec.concurrency", "between 1 and", 29),
            (
                "  evaluators: {minReplicas: 2, maxReplicas: 5, targetBacklogPerReplica: 20}",
                "  evaluators: {minReplicas: 6, maxReplicas: 5}", "spec.evaluators.maxReplicas",
                "at least minReplicas", 30
            ),
            (
                "  circuitBreaker: {failureRateThreshold: 0.25, openSeconds: 10}",
                "  circuitBreaker: {failureRateThreshold: 2}", "spec.circuitBreaker.failureRateThreshold",
                "(0, 1]", 31
            ),
            ("  concurrency: 8", "  concurency: 8", "spec.concurency", "not a known field", 29),
            ("kind: EvaluationSuite", "kind: Suite", "kind", "must be EvaluationSuite", 2),
            ("  concurrency: 8", "  concurrency: 8\n  repeats: 0", "spec.repeats", "between 1 and 100", 30),
            ("  concurrency: 8", "  concurrency: 8\n  repeats: 101", "spec.repeats", "between 1 and 100", 30),
            ("  concurrency: 8", "  concurrency: 8\n  budget: {}", "spec.budget", "give maxTokens, maxCost", 30),
            (
                "  concurrency: 8", "  concurrency: 8\n  budget: {maxTokens: 0}", "spec.budget.maxTokens", "at least 1",
                30
            ),
            (
                "  concurrency: 8", "  concurrency: 8\n  budget: {maxCost: 1}", "spec.budget.maxCost",
                "needs prices: add a cost criterion", 30
            ),
        ])
    func refusesInvalid(original: String, replacement: String, path: String, message: String, line: Int) throws {
        #expect(Self.valid.contains(original), "the table's original line must exist")
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect {
            try EvaluationSuite.parse(text, source: "suite.yaml")
        } throws: { error in
            guard case .invalid(let source, let fieldError, let found) = error as? SuiteError else { return false }
            return source == "suite.yaml" && fieldError.path == path && fieldError.message.contains(message)
                && found == line
        }
    }

    @Test("repeats and a budget decode; a cost budget takes the cost criterion's prices")
    func repeatsAndBudget() throws {
        let text = Self.valid.replacingOccurrences(
            of: "  concurrency: 8",
            with: "  concurrency: 8\n  repeats: 5\n  budget: {maxTokens: 5000, maxCost: 0.5}\n"
                + "  criteria:\n  - {type: cost, maxTokens: 100, prices: {gpt-4o: {inputPerMillion: 2.5, outputPerMillion: 10}}}"
        ).replacingOccurrences(
            of: "  criteria:\n  - {type: contains, value: Paris}\n  - {type: contains, value: Paris, name: again}\n"
                + "  - {type: contains, value: Paris}\n", with: "")
        let spec = try EvaluationSuite.parse(text, source: "suite.yaml").spec
        #expect(spec.repeats == 5 && spec.budget == BudgetSpec(maxTokens: 5000, maxCost: 0.5))
        let result = CaseResult(
            caseID: "c1",
            targets: [
                TargetResult(
                    target: "large", output: "", provider: "openai", inputTokens: 1000, outputTokens: 100, passed: true,
                    score: 1, criteria: [])
            ], consumer: "x")
        // The provider's name is its type here; its model is gpt-4o: 1000 × 2.5 + 100 × 10 per million.
        let cost = try #require(RunPricing(spec).priced(result).targets[0].cost)
        #expect(abs(cost - 0.0035) < 1e-12)
    }

    @Test("a dataset must come one way: cases, file or configMap")
    func datasetSources() throws {
        let both: JSONValue = ["cases": [["id": "a"]], "file": "x.jsonl"]
        #expect(throws: FieldError.self) { try DatasetSpec.decode(both, at: "spec.dataset") }
        #expect(throws: FieldError.self) { try DatasetSpec.decode([:], at: "spec.dataset") }
        #expect(
            throws: FieldError(
                path: "spec.dataset.file", message: "must end in .jsonl or .csv to name its format, got \"x.txt\"")
        ) {
            try DatasetSpec.decode(["file": "x.txt"], at: "spec.dataset")
        }
        #expect(
            try DatasetSpec.decode(["configMap": ["name": "cases", "key": "cases.jsonl"]], at: "spec.dataset")
                == .configMap(name: "cases", key: "cases.jsonl"))
    }

    @Test("apiKey cannot be combined with apiKeyEnv")
    func apiKeyConflict() {
        let json: JSONValue = [
            "type": "openai", "model": "m", "apiKeyEnv": "KEY", "apiKey": ["secretName": "s", "key": "k"],
        ]
        #expect(
            throws: FieldError(path: "p.apiKeyEnv", message: "cannot be combined with apiKey; give the key one way")
        ) {
            try ProviderSpec.decode(json, at: "p")
        }
    }

    @Test("YAML syntax errors carry the line and column")
    func syntaxError() {
        #expect {
            try EvaluationSuite.parse("spec:\n  targets: [\n", source: "bad.yaml")
        } throws: { error in
            guard case .syntax(_, let yaml) = error as? SuiteError else { return false }
            return yaml.line >= 2 && String(describing: error).hasPrefix("bad.yaml:")
        }
    }

    @Test(
        "prompt templates fill case fields",
        arguments: [
            ("Answer: {{input}}", "Answer: France"),
            ("{{input}} / {{ reference }} / {{country}}", "France / Paris / FR"),
            ("{{missing}}!", "!"),
            ("no placeholders", "no placeholders"),
        ])
    func rendersPrompts(prompt: String, expected: String) {
        let target = TargetSpec(name: "t", prompt: prompt, providers: [])
        let suiteCase = SuiteCase(id: "c", input: "France", reference: "Paris", fields: ["country": "FR"])
        #expect(target.render(suiteCase) == expected)
    }

    @Test("every spec type declares a structural schema of type object")
    func schemas() {
        let types: [any SpecDecodable.Type] = [
            EvaluationSuiteSpec.self, TargetSpec.self, JudgeSpec.self, DatasetSpec.self, EvaluatorScalingSpec.self,
            CircuitBreakerSpec.self, SecretKeyRef.self, ProviderSpec.self,
        ]
        for type in types {
            #expect(type.structuralSchema["type"] == "object", "\(type)")
        }
        #expect(EvaluationSuiteSpec.structuralSchema["required"] == ["dataset", "criteria"])
    }
}
