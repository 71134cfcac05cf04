import AssayCore
import Providers
import Suites
import Testing

@testable import Evaluation

/// The checks before a run queues anything: every provider the run will call has its key and a
/// well-formed URL, and every problem is named with the target (or judge) and position.
@Suite("SuitePreflight")
struct SuitePreflightTests {
    /// A suite with two targets (the second with a fallback), a judge, and a criterion with its own judge.
    static let spec = """
        {"targets": [
           {"name": "gpt", "prompt": "{{input}}",
            "providers": [{"type": "openai", "model": "m", "apiKey": {"secretName": "keys", "key": "openai"}}]},
           {"name": "local", "prompt": "{{input}}",
            "providers": [{"type": "openai", "model": "m", "baseURL": "http://127.0.0.1:1/v1"},
                          {"type": "anthropic", "model": "c", "apiKeyEnv": "CLAUDE_KEY"}]}],
         "judge": {"providers": [{"type": "openai", "model": "j", "apiKeyFile": "/keys/judge"}]},
         "dataset": {"cases": [{"id": "1", "input": "x"}]},
         "criteria": [
           {"type": "llmJudge", "name": "tone", "rubric": "polite?", "threshold": 3},
           {"type": "llmJudge", "name": "facts", "rubric": "true?", "threshold": 3,
            "judge": [{"type": "openai", "model": "f", "baseURL": "http://", "apiKeyEnv": "FACTS_KEY"}]}]}
        """

    static func evaluator(_ text: String = spec) throws -> SuiteEvaluator {
        try SuiteEvaluator(spec: EvaluationSuiteSpec.decode(JSONParser.parse(text), at: "spec"), pool: nil)
    }

    static func environment(_ variables: [String: String], files: [String: String] = [:]) -> ProviderEnvironment {
        ProviderEnvironment(variable: { variables[$0] }, readFile: { files[$0].map { Array($0.utf8) } })
    }

    static let everything = [
        "ASSAY_SECRET_KEYS_OPENAI": "k1", "CLAUDE_KEY": "k2", "FACTS_KEY": "k3",
    ]

    @Test(
        "each provider without its key is named with its variable, file or Secret and its place in the suite",
        arguments: [
            (
                ["ASSAY_SECRET_KEYS_OPENAI": "", "CLAUDE_KEY": "k2", "FACTS_KEY": "k3"], ["/keys/judge": "j"],
                SuitePreflight.Keys.environment,
                [
                    "no API key: environment variable ASSAY_SECRET_KEYS_OPENAI is not set or empty (target \"gpt\", provider 0)"
                ]
            ),
            (
                ["FACTS_KEY": "k3"], [:], .environment,
                [
                    "no API key: environment variable ASSAY_SECRET_KEYS_OPENAI is not set or empty (target \"gpt\", provider 0)",
                    "no API key: environment variable CLAUDE_KEY is not set or empty (target \"local\", provider 1)",
                    "no API key: cannot read API key file /keys/judge; check the Secret is mounted (judge, provider 0)",
                ]
            ),
            (
                ["CLAUDE_KEY": "k2", "FACTS_KEY": "k3"], ["/keys/judge": "  \n"], .secrets(namespace: "team-a"),
                [
                    "no API key: Secret \"keys\" in namespace \"team-a\" has no key \"openai\", or it is empty (target \"gpt\", provider 0)",
                    "no API key: API key file /keys/judge is empty (judge, provider 0)",
                ]
            ),
        ])
    func missingKeys(
        variables: [String: String], files: [String: String], keys: SuitePreflight.Keys, expected: [String]
    )
        throws
    {
        let problems = SuitePreflight.problems(
            try Self.evaluator(), generates: true, keys: keys,
            environment: Self.environment(variables, files: files))
        // The criterion's own judge has a URL without a host: reported whatever the keys.
        #expect(
            problems.map(\.description)
                == expected + [
                    "base URL \"http:\" is not an http:// or https:// URL with a host (criterion \"facts\" judge, provider 0)"
                ])
    }

    @Test("targets are not checked when every case carries its output, and a suite with every key passes")
    func nothingToCall() throws {
        let offline = SuitePreflight.problems(
            try Self.evaluator(Self.spec.replacingOccurrences(of: "http://\"", with: "http://judge\"")),
            generates: false, keys: .environment,
            environment: Self.environment(["FACTS_KEY": "k"], files: ["/keys/judge": "j"]))
        #expect(offline.isEmpty)
        let full = SuitePreflight.problems(
            try Self.evaluator(Self.spec.replacingOccurrences(of: "http://\"", with: "http://judge\"")),
            generates: true, keys: .environment,
            environment: Self.environment(Self.everything, files: ["/keys/judge": "j"]))
        #expect(full.isEmpty)
    }

    @Test("the suite's judge is not checked when every llmJudge criterion names its own")
    func unusedJudge() throws {
        let text = Self.spec.replacingOccurrences(
            of: #"{"type": "llmJudge", "name": "tone", "rubric": "polite?", "threshold": 3},"#, with: ""
        )
        .replacingOccurrences(of: "http://\"", with: "http://judge\"")
        let problems = SuitePreflight.problems(
            try Self.evaluator(text), generates: false, keys: .environment, environment: Self.environment([:]))
        #expect(problems.map(\.location) == ["criterion \"facts\" judge, provider 0"])
    }
}
