import AssayCore
import Providers
import Testing

@testable import Suites

@Suite("TargetSpec: one target type for suites and requests")
struct TargetSpecTests {
    static let catalog = ProviderCatalog([ProviderConfig(type: .openai, model: "m", name: "openai-prod")])

    @Test("a request's target collects every problem with its path, and has no name")
    func requestCollectsEveryProblem() {
        var errors: [FieldError] = []
        let target = TargetSpec.decode(
            ["prompt": "", "maxTokens": 0, "temperature": 3, "providers": ["nobody"]], at: "target", named: false,
            providers: .request(Self.catalog, allowInline: false), errors: &errors)
        #expect(target == nil)
        #expect(
            errors.map(\.path) == ["target.prompt", "target.maxTokens", "target.temperature", "target.providers[0]"])
        var named: [FieldError] = []
        _ = TargetSpec.decode(
            ["name": "t", "prompt": "p", "providers": ["openai-prod"]], at: "target", named: false,
            providers: .request(Self.catalog, allowInline: false), errors: &named)
        #expect(named.map(\.path) == ["target.name"])
    }

    @Test("a request's target names configured providers; a suite's defines them")
    func providersByOrigin() throws {
        var errors: [FieldError] = []
        let request = TargetSpec.decode(
            ["prompt": "Say {{input}}", "providers": ["openai-prod", ["name": "openai-prod"]]], at: "target",
            named: false, providers: .request(Self.catalog, allowInline: false), errors: &errors)
        #expect(errors.isEmpty)
        #expect(request?.configs.map(\.name) == ["openai-prod", "openai-prod"])
        #expect(request?.name == TargetSpec.requestTargetName)
        #expect(request?.placeholders == ["input"])
        let suite = try TargetSpec.decode(
            ["name": "t", "prompt": "p", "providers": [["type": "anthropic", "model": "claude"]]], at: "targets[0]")
        #expect(suite.configs.map(\.type) == [.anthropic])
    }

    @Test("a suite's target reports its first problem, in the order a request's would list them")
    func suiteThrowsTheFirst() {
        #expect(throws: FieldError(path: "targets[0].prompt", message: "must not be empty")) {
            try TargetSpec.decode(["name": "t", "prompt": "", "maxTokens": 0], at: "targets[0]")
        }
    }

    @Test("the chat request is the prompt filled from the fields, with the target's settings")
    func chatRequest() {
        let target = TargetSpec(
            name: "t", prompt: "{{ input }} in {{lang}}{{missing}}", providers: [], maxTokens: 5, temperature: 0)
        let chat = target.chatRequest(["input": "Hello", "lang": "French"])
        #expect(chat.messages == [.user("Hello in French")])
        #expect(chat.maxTokens == 5 && chat.temperature == 0)
        #expect(target.placeholders == ["input", "lang", "missing"])
    }
}
