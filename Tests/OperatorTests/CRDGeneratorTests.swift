import AssayCore
import Foundation
import Suites
import TestSupport
import Testing

@testable import Operator

@Suite("The EvaluationSuite CRD")
struct CRDGeneratorTests {
    static let committedPath = "config/crd/evaluationsuites.yaml"

    @Test("the committed CRD matches what CRDGenerator produces")
    func committedCRDIsFresh() throws {
        let committed = try Repository.read(Self.committedPath)
        #expect(
            committed == CRDGenerator.yaml,
            """
            \(Self.committedPath) is stale: the spec or status types changed. Regenerate it with
            `swift run assay-operator crd > \(Self.committedPath)` and commit the result.
            """)
    }

    @Test("the emitted YAML reads back as the same document as the JSON form")
    func yamlRoundTrips() throws {
        let reparsed = try YAMLLoader.load(CRDGenerator.yaml)
        #expect(reparsed == CRDGenerator.crd())
    }

    static let version = CRDGenerator.crd()["spec"]?["versions"]?.arrayValue?.first
    static var openAPI: JSONValue? { version?["schema"]?["openAPIV3Schema"] }

    /// Follows `properties` along `path`.
    static func schema(_ path: [String]) -> JSONValue? {
        var node = openAPI
        for name in path { node = node?["properties"]?[name] }
        return node
    }

    @Test(
        "defaults come from the spec types' named defaults",
        arguments: [
            (["spec", "passThreshold"], JSONValue.number(EvaluationSuiteSpec.defaultPassThreshold)),
            (["spec", "concurrency"], .number(Double(EvaluationSuiteSpec.defaultConcurrency))),
            (["spec", "evaluators", "minReplicas"], .number(Double(EvaluatorScalingSpec.defaultMinReplicas))),
            (["spec", "evaluators", "maxReplicas"], .number(Double(EvaluatorScalingSpec.defaultMaxReplicas))),
            (
                ["spec", "evaluators", "targetBacklogPerReplica"],
                .number(Double(EvaluatorScalingSpec.defaultTargetBacklogPerReplica))
            ),
        ])
    func defaults(path: [String], expected: JSONValue) {
        #expect(Self.schema(path)?["default"] == expected)
    }

    @Test(
        "cross-field rules sit on the object they compare",
        arguments: [
            (["spec", "evaluators"], "minReplicas must be less than or equal to maxReplicas"),
            (["spec", "dataset"], "exactly one of cases, file or configMap must be set"),
            (["spec"], "passThreshold must be a fraction between 0 and 1"),
            (["spec", "circuitBreaker"], "minimumCalls must be less than or equal to slidingWindowSize"),
        ])
    func rules(path: [String], message: String) {
        let rules = Self.schema(path)?["x-kubernetes-validations"]?.arrayValue ?? []
        #expect(rules.contains { $0["message"]?.stringValue == message })
    }

    @Test("names, scope, status subresource and printer columns are declared")
    func shape() {
        let crd = CRDGenerator.crd()
        #expect(crd["metadata"]?["name"] == "evaluationsuites.eval.assay.dev")
        #expect(crd["spec"]?["scope"] == "Namespaced")
        #expect(crd["spec"]?["names"]?["shortNames"] == ["evs"])
        #expect(crd["spec"]?["names"]?["categories"] == ["assay"])
        #expect(Self.version?["subresources"]?["status"] == [:])
        let columns = (Self.version?["additionalPrinterColumns"]?.arrayValue ?? []).compactMap {
            $0["name"]?.stringValue
        }
        #expect(columns == ["Phase", "Progress", "Pass rate", "Targets", "Age"])
        #expect(Self.schema(["status", "failingCases"])?["maxItems"] == .number(Double(SuiteStatus.maxFailingCases)))
        #expect(Self.schema(["status", "conditions"])?["x-kubernetes-list-map-keys"] == ["type"])
    }

    @Test("the spec schema is the spec types' structural schema plus additions only")
    func specSchemaExtendsTheSpecTypes() {
        let base = EvaluationSuiteSpec.structuralSchema
        let generated = CRDGenerator.specSchema
        #expect(base["properties"]?.objectValue?.keys == generated["properties"]?.objectValue?.keys)
        #expect(base["required"] == generated["required"])
    }
}
