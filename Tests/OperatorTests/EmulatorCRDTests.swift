import Foundation
import Suites
import TestSupport
import Testing

@testable import Operator

/// The committed CRD against the Kubernetes API emulator through kubectl: accepted, enforced,
/// and printed with our columns.
@Suite(
    "The CRD in the Kubernetes emulator",
    .enabled(if: EmulatorProcess.executable != nil && Command.available(EmulatorProcess.kubectl)))
struct EmulatorCRDTests {
    static let invalidSuites: [(name: String, spec: String, message: String)] = [
        (
            "baseline",
            "dataset: {cases: [{id: a}]}\nbaseline: {suite: a, configMap: {name: b, key: c}}",
            "exactly one of suite or configMap must be set"
        ),
        (
            "level",
            "dataset: {cases: [{id: a}]}\nconfidenceLevel: 1",
            "confidenceLevel must be between 0 and 1 (exclusive)"
        ),
        (
            "gate",
            "dataset: {cases: [{id: a}]}\ngate: {\"on\": upperBound}",
            "Unsupported value: \"upperBound\""
        ),
        (
            "replicas",
            """
            dataset: {cases: [{id: a, input: x}]}
            evaluators: {minReplicas: 5, maxReplicas: 2}
            """,
            "minReplicas must be less than or equal to maxReplicas"
        ),
        (
            "two-sources",
            "dataset: {cases: [{id: a, input: x}], file: cases.jsonl}",
            "exactly one of cases, file or configMap must be set"
        ),
        (
            "no-source",
            "dataset: {}",
            "exactly one of cases, file or configMap must be set"
        ),
    ]

    static func suite(_ name: String, _ spec: String) -> String {
        """
        apiVersion: eval.assay.dev/v1alpha1
        kind: EvaluationSuite
        metadata: {name: \(name)}
        spec:
          targets: [{name: t, prompt: p, providers: [{type: openai, model: m}]}]
          criteria: [{type: isJSON}]
        \(spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

        """
    }

    @Test(
        "kubectl applies the CRD and the capitals sample, rejects invalid suites with the rule's message, and shows the columns"
    )
    func crdIsAcceptedAndEnforced() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let crd = try emulator.kubectl(["apply", "-f", Repository.path(CRDGeneratorTests.committedPath)])
        #expect(crd.status == 0, "\(crd.combined)")
        let sample = try emulator.kubectl(["apply", "-f", Repository.path("config/samples/capitals.yaml")])
        #expect(sample.status == 0, "\(sample.combined)")
        // An offline suite has no targets, and a gate, a comparison reference and a level.
        let offline = try emulator.write(
            "offline.yaml",
            """
            apiVersion: eval.assay.dev/v1alpha1
            kind: EvaluationSuite
            metadata: {name: offline}
            spec:
              dataset: {cases: [{id: a, outputs: {large: x, small: y}}]}
              criteria: [{type: isJSON}]
              confidenceLevel: 0.9
              gate: {"on": lowerBound, alpha: 0.01, maxRegression: 0.02}
              compare: {reference: small}
            """)
        let applied = try emulator.kubectl(["apply", "-f", offline])
        #expect(applied.status == 0, "\(applied.combined)")

        for invalid in Self.invalidSuites {
            let file = try emulator.write("\(invalid.name).yaml", Self.suite(invalid.name, invalid.spec))
            let result = try emulator.kubectl(["apply", "-f", file])
            #expect(result.status != 0, "\(invalid.name) was accepted")
            #expect(result.error.contains(invalid.message), "\(invalid.name): \(result.error)")
        }

        let defaulted = try emulator.kubectl([
            "get", "evs", "capitals", "-o", "jsonpath={.spec.evaluators.maxReplicas} {.spec.concurrency}",
        ])
        #expect(defaulted.output == "10 32", "\(defaulted.combined)")

        let status = try emulator.kubectl([
            "patch", "evaluationsuites", "capitals", "--subresource=status", "--type=merge", "-p",
            #"{"status":{"phase":"Running","progress":{"total":4,"completed":3,"summary":"3/4"},"passRate":0.75}}"#,
        ])
        #expect(status.status == 0, "\(status.combined)")
        let table = try emulator.kubectl(["get", "evaluationsuites"])
        let lines = table.output.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(lines.first == ["NAME", "PHASE", "PROGRESS", "PASS", "RATE", "TARGETS", "AGE"], "\(table.combined)")
        #expect(lines.dropFirst().first?.prefix(5) == ["capitals", "Running", "3/4", "0.75", "recorded"])
        let category = try emulator.kubectl(["get", "assay", "-o", "name"])
        #expect(category.output.contains("evaluationsuite.eval.assay.dev/capitals"), "\(category.combined)")
    }
}
