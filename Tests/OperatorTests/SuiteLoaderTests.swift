import AssayCore
import AssayKube
import Foundation
import Suites
import TestSupport
import Testing

@testable import Operator

/// How the operator reads a suite's spec and cases, and what it says when it cannot.
@Suite(
    "SuiteLoader names the field that keeps a suite from running", .serialized,
    .enabled(if: EmulatorProcess.isAvailable, "assay-kube-emulator or kubectl is missing"))
struct SuiteLoaderTests {
    static func suite(dataset: JSONValue, criteria: JSONValue = [["type": "contains", "value": "x"]]) -> KubeObject {
        KubeObject([
            "apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite",
            "metadata": ["name": "s", "namespace": "default", "uid": "u", "generation": 1],
            "spec": [
                "targets": [["name": "t", "prompt": "{{input}}", "providers": [["type": "openai", "model": "m"]]]],
                "dataset": dataset, "criteria": criteria,
            ],
        ])
    }

    /// Suites that must not run, by the field the message must name.
    static let refused: [String: KubeObject] = [
        "spec.dataset.file": suite(dataset: ["file": "cases.jsonl"]),
        "spec.criteria[0].type": suite(dataset: ["cases": [["id": "a", "input": "x"]]], criteria: [["type": "nope"]]),
        "spec.criteria[0].pattern": suite(
            dataset: ["cases": [["id": "a", "input": "x"]]], criteria: [["type": "regex", "pattern": "("]]),
    ]

    @Test(
        "decoding refuses what cannot run in a cluster, naming the field",
        arguments: ["spec.dataset.file", "spec.criteria[0].type", "spec.criteria[0].pattern"])
    func decodeRefuses(field: String) throws {
        let object = try #require(Self.refused[field])
        // Decoding makes no request: a client to nowhere will do.
        let loader = SuiteLoader(client: KubeClient(connection: KubeConnection(server: "http://127.0.0.1:1")))
        guard case .failure(let invalid) = loader.decode(object) else {
            Issue.record("\(field) was accepted")
            return
        }
        #expect(invalid.message.hasPrefix(field), "\(invalid.message)")
    }

    @Test("an offline suite's targets are the outputs its cases carry; a case lacking one is refused, naming it")
    func offlineTargets() throws {
        let loader = SuiteLoader(client: KubeClient(connection: KubeConnection(server: "http://127.0.0.1:1")))
        let cases: JSONValue = [
            ["id": "a", "outputs": ["large": "x", "small": "y"]], ["id": "b", "outputs": ["large": "x"]],
        ]
        let object = KubeObject([
            "apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite",
            "metadata": ["name": "s", "namespace": "default", "uid": "u", "generation": 1],
            "spec": ["dataset": ["cases": cases], "criteria": [["type": "contains", "value": "x"]]],
        ])
        guard case .success(let suite) = loader.decode(object), case .inline(let items) = suite.spec.dataset else {
            Issue.record("an offline suite was refused")
            return
        }
        #expect((try? loader.targets(of: suite, cases: Array(items.prefix(1))).get()) == ["large", "small"])
        guard case .failure(let invalid) = loader.targets(of: suite, cases: items) else {
            Issue.record("a case without an output was accepted")
            return
        }
        #expect(invalid.message.hasPrefix("spec.dataset.cases[1].outputs.small: case \"b\""), "\(invalid.message)")
    }

    @Test("cases come from the ConfigMap the spec names; a missing key or a bad line is reported with its place")
    func configMapCases() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let loader = SuiteLoader(client: emulator.client)
        let good = "{\"id\": \"a\", \"input\": \"x\"}\n{\"id\": \"b\", \"input\": \"y\"}\n"
        for (name, key, text) in [("good", "cases.jsonl", good), ("bad", "cases.jsonl", "{\"id\": \"a\"\n")] {
            _ = try await emulator.client.create(
                KubeObject(
                    .configMap, name: name, namespace: "default",
                    body: JSONObject([("data", .object(JSONObject([(key, .string(text))])))])),
                as: .configMap)
        }
        func cases(_ name: String, _ key: String) async throws -> Result<[SuiteCase], SuiteLoader.Invalid> {
            let object = Self.suite(dataset: ["configMap": ["name": .string(name), "key": .string(key)]])
            guard case .success(let suite) = loader.decode(object) else { throw DecodeFailed() }
            return try await loader.cases(of: suite)
        }
        let loaded = try await cases("good", "cases.jsonl")
        #expect((try? loaded.get())?.map(\.id) == ["a", "b"])
        guard case .failure(let noKey) = try await cases("good", "other.jsonl") else {
            Issue.record("a missing key was accepted")
            return
        }
        #expect(noKey.message.hasPrefix("spec.dataset.configMap.key: ConfigMap default/good has no key"))
        #expect(noKey.retryAfter != nil, "a key added later is picked up")
        guard case .failure(let badLine) = try await cases("bad", "cases.jsonl") else {
            Issue.record("a bad dataset was accepted")
            return
        }
        #expect(badLine.message.contains("ConfigMap default/bad key cases.jsonl"), "\(badLine.message)")
        #expect(badLine.retryAfter == nil)
    }

    struct DecodeFailed: Error {}
}
