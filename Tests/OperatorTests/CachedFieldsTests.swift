import AssayCore
import AssayKube
import TestSupport
import Testing

@testable import Operator

@Suite("CachedFields")
struct CachedFieldsTests {
    /// `desired` as an API server would return it: uid, version, creation time, managed fields,
    /// a kubectl annotation and a status beside the fields the operator applied.
    static func served(_ desired: JSONValue) throws -> KubeObject {
        var object = KubeObject(desired)
        var metadata = try #require(object["metadata"]?.objectValue)
        metadata["uid"] = "u-1"
        metadata["resourceVersion"] = "42"
        metadata["creationTimestamp"] = "2026-12-06T12:00:00Z"
        metadata["managedFields"] = [["manager": "assay-operator", "operation": "Apply", "fieldsV1": desired]]
        metadata["annotations"] = [
            CachedFields.lastAppliedAnnotation: .string(JSONWriter.string(desired)),
            "deployment.kubernetes.io/revision": "1",
        ]
        object["metadata"] = .object(metadata)
        object["status"] = ["replicas": 2, "readyReplicas": 1, "conditions": [["type": "Available"]]]
        return object
    }

    @Test("a cached child keeps what the reconciler compares, so an unchanged child is still seen as wanted")
    func childrenStillCompareEqual() throws {
        let builder = ChildrenBuilderTests.builder()
        for desired in builder.all {
            let cached = CachedFields.child(try Self.served(desired))
            #expect(Reconciler.contains(cached.json, desired), "\(desired["kind"] ?? .null)")
            #expect(cached["metadata"]?["managedFields"] == nil)
            #expect(cached["metadata"]?["creationTimestamp"] == nil)
            #expect(cached.annotations == ["deployment.kubernetes.io/revision": "1"])
            #expect(cached["status"] == ["readyReplicas": 1])
            #expect(cached.resourceVersion == "42" && cached.uid == "u-1")
            #expect(Controller.owner(of: cached) == ObjectKey(namespace: "evals", name: "capitals"))
        }
    }

    @Test("a cached suite keeps its spec and status and drops managed fields and kubectl's copy")
    func suite() throws {
        let suite: JSONValue = [
            "apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite",
            "metadata": [
                "name": "s", "namespace": "evals", "generation": 2, "finalizers": ["eval.assay.dev/run-data"],
            ],
            "spec": ["criteria": [["type": "isJSON"]]],
        ]
        let cached = CachedFields.suite(try Self.served(suite))
        #expect(cached["spec"] == suite["spec"])
        #expect(cached["status"]?["conditions"] == [["type": "Available"]])
        #expect(cached["metadata"]?["managedFields"] == nil)
        #expect(cached.generation == 2 && cached.finalizers == ["eval.assay.dev/run-data"])
        #expect(cached.annotations == ["deployment.kubernetes.io/revision": "1"])
    }

    @Test("evaluators are ready when the Deployment reports a ready replica")
    func evaluatorsReady() {
        func deployment(_ status: JSONValue?) -> KubeObject {
            var object = KubeObject(.deployment, name: "s-evaluators", namespace: "evals")
            object["status"] = status
            return object
        }
        #expect(!Reconciler.evaluatorsReady(nil))
        #expect(!Reconciler.evaluatorsReady(deployment(nil)))
        #expect(!Reconciler.evaluatorsReady(deployment(["readyReplicas": 0])))
        #expect(Reconciler.evaluatorsReady(deployment(["readyReplicas": 2])))
    }
}
