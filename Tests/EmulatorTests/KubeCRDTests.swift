import AssayCore
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator custom resources")
struct KubeCRDTests {
    @Test("a CRD becomes a served resource with discovery, and is Established")
    func registration() throws {
        let server = APIServer(store: Store())
        let created = server.call(
            "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: KubeObjectFixtures.suiteCRD)
        #expect(created.status == 201)
        let conditions = created.body.at(["status", "conditions"])?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
        let groups = server.call("GET", "/apis").body["groups"]?.arrayValue ?? []
        #expect(groups.contains { $0["name"] == "assay.dev" })
        let resources = server.call("GET", "/apis/assay.dev/v1").body["resources"]?.arrayValue ?? []
        #expect(
            resources.map { $0["name"]?.stringValue ?? "" } == [
                "evaluationsuites", "evaluationsuites/status", "evaluationsuites/scale",
            ])
    }

    @Test(
        "the OpenAPI schema is enforced with the real server's field errors",
        arguments: [
            (["replicas": 1], "spec.model", "Required value"),
            (["model": "", "replicas": 1], "spec.model", "should be at least 1 chars long"),
            (["model": "m", "replicas": -1], "spec.replicas", "should be greater than or equal to 0"),
            (["model": "m", "replicas": "two"], "spec.replicas", "must be of type integer"),
            (["model": "m", "replicas": 1.5], "spec.replicas", "must be of type integer"),
            (["model": "m", "mode": "chaotic"], "spec.mode", "Unsupported value: \"chaotic\""),
            (["model": "m", "replicas": 20, "maxReplicas": 5], "spec", "replicas must not exceed maxReplicas"),
        ] as [(JSONValue, String, String)])
    func schemaViolations(_ spec: JSONValue, _ field: String, _ message: String) throws {
        let (store, suites) = try KubeObjectFixtures.storeWithSuites()
        let error = #expect(throws: APIError.self) {
            _ = try store.create(suites, namespace: "default", object: KubeObjectFixtures.suite("s", spec: spec))
        }
        #expect(error?.code == 422)
        #expect(error?.reason == "Invalid")
        #expect(error?.kind == "EvaluationSuite")
        #expect(error?.causes.contains { $0.field == field && $0.message.contains(message) } == true)
        #expect(error?.message.hasPrefix("EvaluationSuite.assay.dev \"s\" is invalid: ") == true)
    }

    @Test("defaults are applied and unknown fields pruned, or rejected under Strict field validation")
    func defaultsAndPruning() throws {
        let (store, suites) = try KubeObjectFixtures.storeWithSuites()
        let body = KubeObjectFixtures.suite("s", spec: ["model": "m", "unknown": 1])
        let created = try store.create(suites, namespace: "default", object: body)
        #expect(created.object.at(["spec", "replicas"]) == 1)
        #expect(created.object.at(["spec", "maxReplicas"]) == 10)
        #expect(created.object.at(["spec", "mode"]) == "strict")
        #expect(created.object.at(["spec", "unknown"]) == nil)
        #expect(created.warnings == ["unknown field \"spec.unknown\""])

        var strict = WriteOptions()
        strict.fieldValidation = .strict
        let error = #expect(throws: APIError.self) {
            _ = try store.create(
                suites, namespace: "default", object: KubeObjectFixtures.suite("t", spec: ["model": "m", "x": 1]),
                options: strict)
        }
        #expect(error?.code == 400)
        #expect(error?.message.contains("strict decoding error: unknown field \"spec.x\"") == true)
    }

    @Test(
        "the CEL subset evaluates like CEL",
        arguments: [
            ("self.a + self.b == 5", true),
            ("self.a * 2 > self.b", true),
            ("self.a / 2 == 1 && self.a % 2 == 0", true),
            ("has(self.name) && !has(self.missing)", true),
            ("size(self.name) == 5 && self.name.size() == 5", true),
            ("self.name.startsWith('ass') && self.name.endsWith('ay') && self.name.contains('sa')", true),
            ("self.name.matches('^a[s]+ay$')", true),
            ("'x' in self.tags && !('q' in self.tags)", true),
            ("self.tags.all(t, size(t) == 1)", true),
            ("self.tags.exists(t, t == 'y')", true),
            ("self.tags.exists_one(t, t == 'y')", true),
            ("self.tags.filter(t, t != 'x').size() == 1", true),
            ("self.tags.map(t, t + t) == ['xx', 'yy']", true),
            ("self.a > 3 ? false : true", true),
            ("self.ratio >= 0.0 && self.ratio <= 1.0", true),
            ("self.missing == 1 || true", true),
            ("int('7') + 1 == 8 && string(3) == '3' && double(self.a) == 2.0", true),
            ("self.a == 3", false),
            ("self.nested.x.y == 'z'", true),
        ])
    func celSubset(_ rule: String, _ expected: Bool) throws {
        let program = try CELProgram(rule)
        let value: JSONValue = [
            "a": 2, "b": 3, "name": "assay", "tags": ["x", "y"], "ratio": 0.5, "nested": ["x": ["y": "z"]],
        ]
        #expect(try program.evaluate(self: value, oldSelf: nil) == .bool(expected))
    }

    @Test("CEL transition rules see oldSelf on updates only")
    func transitionRule() throws {
        let program = try CELProgram("self >= oldSelf")
        #expect(program.usesOldSelf)
        #expect(try program.evaluate(self: 3, oldSelf: 2) == true)
        #expect(try program.evaluate(self: 1, oldSelf: 2) == false)
    }

    @Test("a CRD with a rule that does not compile is rejected")
    func invalidRule() throws {
        var crd = KubeObjectFixtures.suiteCRD
        crd.set(
            ["spec", "versions"],
            [
                [
                    "name": "v1", "served": true, "storage": true,
                    "schema": [
                        "openAPIV3Schema": [
                            "type": "object", "x-kubernetes-validations": [["rule": "self.a ==== 1"]],
                        ]
                    ],
                ]
            ])
        let error = #expect(throws: APIError.self) { _ = try CRDRegistry.types(fromCRD: crd) }
        #expect(error?.code == 422)
        #expect(
            error?.causes.first?.field == "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule")
    }

    @Test("printer columns are served as a Table")
    func printerColumns() throws {
        let server = APIServer(store: Store())
        _ = server.call(
            "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: KubeObjectFixtures.suiteCRD)
        let path = "/apis/assay.dev/v1/namespaces/default/evaluationsuites"
        _ = server.call("POST", path, body: KubeObjectFixtures.suite("s", spec: ["model": "judge-1"]))
        let table = server.call(
            "GET", path, headers: ["accept": "application/json;as=Table;g=meta.k8s.io;v=v1, application/json"]
        ).body
        #expect(table["kind"] == "Table")
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Model"])
        #expect(table["rows"]?.arrayValue?.first?["cells"] == ["s", "judge-1"])
        #expect(table["rows"]?.arrayValue?.first?.at(["object", "kind"]) == "PartialObjectMetadata")
    }

    @Test("the scale subresource reads and writes the CRD's replica paths")
    func scaleSubresource() throws {
        let server = APIServer(store: Store())
        _ = server.call(
            "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: KubeObjectFixtures.suiteCRD)
        let path = "/apis/assay.dev/v1/namespaces/default/evaluationsuites"
        _ = server.call("POST", path, body: KubeObjectFixtures.suite("s", spec: ["model": "m", "replicas": 2]))
        let scale = server.call("GET", path + "/s/scale").body
        #expect(scale["kind"] == "Scale")
        #expect(scale.at(["spec", "replicas"]) == 2)
        let patched = server.call(
            "PATCH", path + "/s/scale", body: ["spec": ["replicas": 4]],
            headers: ["content-type": "application/merge-patch+json"])
        #expect(patched.status == 200)
        #expect(server.call("GET", path + "/s").body.at(["spec", "replicas"]) == 4)
        #expect(server.call("GET", path + "/s").body.at(["metadata", "generation"]) == 2)
    }

    @Test("deleting a CRD removes its objects and stops serving it")
    func deleteCRD() throws {
        let server = APIServer(store: Store())
        _ = server.call(
            "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: KubeObjectFixtures.suiteCRD)
        let path = "/apis/assay.dev/v1/namespaces/default/evaluationsuites"
        _ = server.call("POST", path, body: KubeObjectFixtures.suite("s", spec: ["model": "m"]))
        let deleted = server.call(
            "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/evaluationsuites.assay.dev")
        #expect(deleted.status == 200)
        #expect(server.call("GET", path).status == 404)
        #expect(server.store.list(KubeObjectFixtures.crds, namespace: nil).items.isEmpty)
    }
}
