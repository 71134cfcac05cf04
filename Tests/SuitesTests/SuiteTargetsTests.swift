import AssayCore
import Testing

@testable import Suites

@Suite("Offline suites: targets from the outputs the cases carry")
struct SuiteTargetsTests {
    static func suite(targets: String, cases: [String]) -> String {
        """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: offline}
        spec:
        \(targets)
          dataset:
            cases:
        \(cases.map { "    - \($0)" }.joined(separator: "\n"))
          criteria: [{type: contains, value: Paris}]
        """
    }

    @Test(
        "a suite without targets gets one target per output name, or one named output",
        arguments: [
            (["{id: a, output: Paris}", "{id: b, output: Rome}"], ["output"]),
            (
                ["{id: a, outputs: {large: Paris, small: Lyon}}", "{id: b, outputs: {small: Rome, large: Paris}}"],
                ["large", "small"]
            ),
        ])
    func names(cases: [String], expected: [String]) throws {
        let suite = try EvaluationSuite.parse(Self.suite(targets: "", cases: cases), source: "s.yaml")
        guard case .inline(let items) = suite.spec.dataset else { throw FieldError(path: "", message: "not inline") }
        #expect(suite.spec.isOffline)
        #expect(try SuiteTargets.names(suite.spec, cases: items) == expected)
    }

    @Test(
        "a case lacking an output for a target is an error naming the case and the field",
        arguments: [
            (["{id: a, output: Paris}", "{id: b, input: x}"], "spec.dataset.cases[1].output", "case \"b\""),
            (
                ["{id: a, outputs: {large: Paris, small: Lyon}}", "{id: b, outputs: {large: Paris}}"],
                "spec.dataset.cases[1].outputs.small", "case \"b\" has no outputs.small"
            ),
            (
                ["{id: a, outputs: {large: Paris}}", "{id: b, outputs: {small: Lyon}}"],
                "spec.dataset.cases[0].outputs.small", "case \"a\""
            ),
        ])
    func missing(cases: [String], path: String, message: String) throws {
        let suite = try EvaluationSuite.parse(Self.suite(targets: "", cases: cases), source: "s.yaml")
        guard case .inline(let items) = suite.spec.dataset else { throw FieldError(path: "", message: "not inline") }
        let error = #expect(throws: FieldError.self) { try SuiteTargets.names(suite.spec, cases: items) }
        #expect(error?.path == path)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("a suite with targets keeps them, and an empty targets list is still refused")
    func withTargets() throws {
        let targets = "  targets: [{name: m, prompt: \"{{input}}\", providers: [{type: openai, model: m}]}]"
        let suite = try EvaluationSuite.parse(Self.suite(targets: targets, cases: ["{id: a}"]), source: "s.yaml")
        #expect(!suite.spec.isOffline)
        #expect(try SuiteTargets.names(suite.spec, cases: []) == ["m"])
        let error = #expect(throws: SuiteError.self) {
            try EvaluationSuite.parse(Self.suite(targets: "  targets: []", cases: ["{id: a}"]), source: "s.yaml")
        }
        #expect("\(String(describing: error))".contains("spec.targets: must list at least one target"))
    }

    @Test("outputs travel through the work queue's JSON, from objects and from CSV columns alike")
    func outputsRoundTrip() throws {
        let nested = try SuiteCase.decode(
            ["id": "a", "outputs": ["large": "Paris", "small": "Lyon"]], at: "cases[0]")
        let flat = try SuiteCase.decode(["id": "a", "outputs.large": "Paris", "outputs.small": "Lyon"], at: "line 2")
        #expect(nested.outputs == flat.outputs)
        #expect(nested.output(for: "small") == "Lyon")
        #expect(try SuiteCase.decode(nested.json, at: "") == nested)
        #expect(throws: FieldError.self) { try SuiteCase.decode(["id": "a", "outputs": ["x": 3]], at: "c") }
    }
}
