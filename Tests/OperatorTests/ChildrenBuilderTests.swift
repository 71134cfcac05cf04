import AssayCore
import Foundation
import Providers
import Suites
import TestSupport
import Testing

@testable import Operator

@Suite("ChildrenBuilder")
struct ChildrenBuilderTests {
    static func suite(
        name: String = "capitals", namespace: String? = "evals", uid: String? = nil,
        providers: [ProviderSpec] = [], judge: JudgeSpec? = nil,
        scaling: EvaluatorScalingSpec = EvaluatorScalingSpec()
    ) -> EvaluationSuite {
        let chain =
            providers.isEmpty
            ? [ProviderSpec(config: ProviderConfig(type: .openai, model: "m"))]
            : providers
        let spec = EvaluationSuiteSpec(
            targets: [TargetSpec(name: "t", prompt: "p", providers: chain)], judge: judge,
            dataset: .file("cases.jsonl"), criteria: [["type": "isJSON"]], evaluators: scaling)
        return EvaluationSuite(metadata: .init(name: name, namespace: namespace, uid: uid, generation: 3), spec: spec)
    }

    static func builder(_ suite: EvaluationSuite = suite()) -> ChildrenBuilder {
        ChildrenBuilder(
            suite: suite, config: OperatorConfig(image: "registry.test/assay:1", redisURL: "redis://r:6379"))
    }

    static func env(_ builder: ChildrenBuilder) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for item in builder.container["env"]?.arrayValue ?? [] {
            if let name = item["name"]?.stringValue { result[name] = item["value"] ?? item["valueFrom"] }
        }
        return result
    }

    static let openai = SecretKeyRef(secretName: "llm-keys", key: "openai")
    static let judgeKey = SecretKeyRef(secretName: "judge.keys", key: "api-key")

    static func provider(_ key: SecretKeyRef?) -> ProviderSpec {
        ProviderSpec(config: ProviderConfig(type: .openai, model: "m"), apiKey: key)
    }

    @Test(
        "Secret references become env valueFrom.secretKeyRef, once each, judge included",
        arguments: [
            ([SecretKeyRef?.none], [SecretKeyRef](), [String]()),
            ([openai], [], ["ASSAY_SECRET_LLM_KEYS_OPENAI"]),
            ([openai, openai], [], ["ASSAY_SECRET_LLM_KEYS_OPENAI"]),
            ([openai], [judgeKey], ["ASSAY_SECRET_LLM_KEYS_OPENAI", "ASSAY_SECRET_JUDGE_KEYS_API_KEY"]),
        ])
    func secretKeys(targetKeys: [SecretKeyRef?], judgeKeys: [SecretKeyRef], expected: [String]) {
        let judge = judgeKeys.isEmpty ? nil : JudgeSpec(providers: judgeKeys.map { Self.provider($0) })
        let builder = Self.builder(Self.suite(providers: targetKeys.map { Self.provider($0) }, judge: judge))
        let env = Self.env(builder)
        #expect(env.keys.filter { $0.hasPrefix("ASSAY_SECRET_") }.sorted() == expected.sorted())
        for key in targetKeys.compactMap({ $0 }) + judgeKeys {
            #expect(
                env[key.environmentVariable]
                    == ["secretKeyRef": ["name": .string(key.secretName), "key": .string(key.key), "optional": true]])
        }
    }

    @Test(
        "the HPA takes its bounds and backlog target from spec.evaluators",
        arguments: [(1, 10, 50), (2, 2, 1), (3, 40, 200)])
    func autoscaler(minimum: Int, maximum: Int, backlog: Int) {
        let scaling = EvaluatorScalingSpec(minReplicas: minimum, maxReplicas: maximum, targetBacklogPerReplica: backlog)
        let hpa = Self.builder(Self.suite(scaling: scaling)).autoscaler
        #expect(hpa["apiVersion"] == "autoscaling/v2")
        #expect(hpa["spec"]?["minReplicas"] == .number(Double(minimum)))
        #expect(hpa["spec"]?["maxReplicas"] == .number(Double(maximum)))
        let metrics = hpa["spec"]?["metrics"]?.arrayValue ?? []
        #expect(metrics.count == 2)
        #expect(metrics.first?["pods"]?["metric"]?["name"] == .string(ChildrenBuilder.backlogMetric))
        #expect(metrics.first?["pods"]?["target"]?["averageValue"] == .string(String(backlog)))
        #expect(metrics.last?["resource"]?["name"] == "cpu")
        #expect(hpa["spec"]?["behavior"]?["scaleDown"]?["stabilizationWindowSeconds"] == 300)
        #expect(hpa["spec"]?["scaleTargetRef"]?["name"] == "capitals-evaluators")
    }

    @Test(
        "ownerReferences carry the suite's uid, or a placeholder before it exists",
        arguments: [(String?.none, ChildrenBuilder.placeholderUID), ("1234-abcd", "1234-abcd")])
    func ownerReferences(uid: String?, expected: String) {
        let builder = Self.builder(Self.suite(uid: uid))
        for object in builder.all {
            let reference = object["metadata"]?["ownerReferences"]?.arrayValue?.first
            #expect(reference?["uid"] == .string(expected))
            #expect(reference?["kind"] == "EvaluationSuite")
            #expect(reference?["controller"] == true)
            #expect(object["metadata"]?["namespace"] == "evals")
        }
    }

    @Test("the Deployment runs the configured image hardened, with probes and the run's Redis and id")
    func deployment() {
        let builder = Self.builder(Self.suite(uid: "u1"))
        let container = builder.container
        #expect(container["image"] == "registry.test/assay:1")
        #expect(container["command"] == ["assay-evaluator"])
        #expect(container["args"]?.arrayValue?.first == "serve")
        #expect(container["securityContext"] == ChildrenBuilder.containerSecurityContext)
        #expect(container["readinessProbe"]?["httpGet"]?["path"] == "/readyz")
        #expect(container["livenessProbe"]?["httpGet"]?["path"] == "/healthz")
        #expect(container["resources"]?["limits"] != nil)
        let env = Self.env(builder)
        #expect(env["ASSAY_REDIS_URL"] == "redis://r:6379")
        #expect(env["ASSAY_RUN_ID"] == "u1-g3")
        let selector = builder.deployment["spec"]?["selector"]?["matchLabels"]
        #expect(selector == builder.service["spec"]?["selector"])
        #expect(builder.deployment["spec"]?["replicas"] == nil, "the HPA owns replicas")
    }

    @Test(
        "a ConfigMap dataset is mounted read-only; /tmp is always writable",
        arguments: [
            (DatasetSpec.file("cases.jsonl"), ["tmp"]),
            (.configMap(name: "cases", key: "all.jsonl"), ["tmp", "dataset"]),
        ])
    func volumes(dataset: DatasetSpec, expected: [String]) {
        var suite = Self.suite()
        suite.spec.dataset = dataset
        let builder = Self.builder(suite)
        let podVolumes = builder.deployment["spec"]?["template"]?["spec"]?["volumes"]?.arrayValue ?? []
        #expect(podVolumes.compactMap { $0["name"]?.stringValue } == expected)
        let mounts = builder.container["volumeMounts"]?.arrayValue ?? []
        #expect(mounts.compactMap { $0["name"]?.stringValue } == expected)
        if case .configMap(let name, let key) = dataset {
            #expect(podVolumes.last?["configMap"]?["name"] == .string(name))
            #expect(podVolumes.last?["configMap"]?["items"]?.arrayValue?.first?["key"] == .string(key))
            #expect(mounts.last?["readOnly"] == true)
        }
    }

    @Test(
        "render prints the three children; JSON output is a v1 List",
        arguments: [("yaml", 3), ("json", 3)])
    func render(format: String, count: Int) throws {
        let outcome = OperatorCommand.run(
            ["render", Repository.path("config/samples/capitals.yaml"), "--output", format, "--namespace", "ns1"],
            environment: [:])
        #expect(outcome.status == 0, "\(outcome.error)")
        let documents: [JSONValue]
        if format == "json" {
            documents = try JSONParser.parse(Array(outcome.output.utf8))["items"]?.arrayValue ?? []
        } else {
            documents = try outcome.output.components(separatedBy: "---\n").map { try YAMLLoader.load($0) }
        }
        #expect(documents.count == count)
        #expect(documents.map { $0["kind"]?.stringValue } == ["Deployment", "Service", "HorizontalPodAutoscaler"])
        #expect(documents.allSatisfy { $0["metadata"]?["namespace"] == "ns1" })
    }
}
