import AssayCore
import Testing

@testable import AssayKube

@Suite("KubeStatusError")
struct KubeStatusErrorTests {
    @Test("a Status body decodes reason, code, message and details with causes")
    func decodesStatus() {
        let body = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"Deployment.apps \\"web\\" is invalid: spec.replicas: Invalid value: -1",
             "reason":"Invalid","code":422,
             "details":{"name":"web","group":"apps","kind":"Deployment","retryAfterSeconds":3,
              "causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1","field":"spec.replicas"}]}}
            """
        let status = KubeStatusError(httpStatus: 422, body: Array(body.utf8))
        #expect(status.code == 422)
        #expect(status.reason == .invalid)
        #expect(status.name == "web")
        #expect(status.group == "apps")
        #expect(status.kind == "Deployment")
        #expect(status.retryAfterSeconds == 3)
        #expect(
            status.causes == [
                .init(reason: "FieldValueInvalid", message: "Invalid value: -1", field: "spec.replicas")
            ])
        #expect(status.description.contains("422 Invalid"))
        #expect(status.description.contains("[spec.replicas: Invalid value: -1]"))
    }

    @Test(
        "reasons map to their cases and the helpers of KubeError",
        arguments: [
            (409, "Conflict", KubeStatusError.Reason.conflict),
            (409, "AlreadyExists", .alreadyExists),
            (404, "NotFound", .notFound),
            (410, "Expired", .expired),
            (410, "Gone", .gone),
            (429, "TooManyRequests", .tooManyRequests),
            (418, "SomethingNew", .other("SomethingNew")),
        ])
    func reasons(code: Int, reason: String, expected: KubeStatusError.Reason) {
        let body = "{\"kind\":\"Status\",\"code\":\(code),\"reason\":\"\(reason)\",\"message\":\"m\"}"
        let error = KubeError.api(KubeStatusError(httpStatus: code, body: Array(body.utf8)))
        #expect(error.status?.reason == expected)
        #expect(error.status?.reason?.name == reason)
        #expect(error.isConflict == (code == 409))
        #expect(error.isNotFound == (code == 404))
        #expect(error.isGone == (code == 410))
    }

    @Test("a body that is not a Status still yields the HTTP code, a reason and a bounded excerpt")
    func notAStatus() {
        let status = KubeStatusError(httpStatus: 503, body: Array(("<html>" + String(repeating: "x", count: 500)).utf8))
        #expect(status.code == 503)
        #expect(status.reason == .serviceUnavailable)
        #expect(status.message.count < 230)
        #expect(KubeStatusError(httpStatus: 401, body: []).message == "HTTP 401 with no body")
    }

    @Test("messages carry a hint the user can act on")
    func hints() {
        let conflict = KubeStatusError(code: 409, reason: .conflict, message: "the object has been modified")
        #expect(conflict.description.contains("read it again and retry"))
        let forbidden = KubeStatusError(code: 403, reason: .forbidden, message: "cannot list leases")
        #expect(forbidden.description.contains("RBAC"))
    }
}

@Suite("ResourcePath")
struct KubeResourcePathTests {
    @Test(
        "paths follow the core and group layouts, with namespaces, names, subresources and escaped queries",
        arguments: [
            (ResourcePath(.service, namespace: "a", name: "web"), "/api/v1/namespaces/a/services/web"),
            (ResourcePath(.deployment), "/apis/apps/v1/deployments"),
            (ResourcePath(.namespace, namespace: "ignored", name: "x"), "/api/v1/namespaces/x"),
            (
                ResourcePath(.horizontalPodAutoscaler, namespace: "a", name: "h", subresource: "status"),
                "/apis/autoscaling/v2/namespaces/a/horizontalpodautoscalers/h/status"
            ),
            (
                ResourcePath(.lease, namespace: "a", query: [("labelSelector", "app in (x, y),tier!=db")]),
                "/apis/coordination.k8s.io/v1/namespaces/a/leases?labelSelector=app%20in%20%28x%2C%20y%29%2Ctier%21%3Ddb"
            ),
            (
                ResourcePath(.evaluationSuite, namespace: "a", name: "s", query: [("fieldManager", "assay/op")]),
                "/apis/eval.assay.dev/v1alpha1/namespaces/a/evaluationsuites/s?fieldManager=assay/op"
            ),
        ])
    func paths(path: ResourcePath, expected: String) {
        #expect(path.description == expected)
    }

    @Test("metadata accessors read and write names, labels, annotations, finalizers and owner references")
    func metadata() {
        var object = KubeObject(.deployment, name: "web", namespace: "a", body: JSONObject([("spec", ["replicas": 2])]))
        #expect(object.apiVersion == "apps/v1")
        #expect(object.kind == "Deployment")
        #expect(object.key == ObjectKey(namespace: "a", name: "web"))
        object.labels = ["app": "web"]
        object.annotations = ["note": "x"]
        object.finalizers = ["assay.dev/cleanup"]
        let owner = KubeObject(
            .object(
                JSONObject([
                    ("apiVersion", "assay.dev/v1alpha1"), ("kind", "EvaluationSuite"),
                    ("metadata", ["name": "s", "uid": "u-1", "generation": 3]),
                ])))
        #expect(owner.generation == 3)
        object.ownerReferences = [OwnerReference(controlledBy: owner)!]
        #expect(object.labels == ["app": "web"])
        #expect(object.annotations == ["note": "x"])
        #expect(object.finalizers == ["assay.dev/cleanup"])
        #expect(object.ownerReferences.first?.uid == "u-1")
        #expect(object.ownerReferences.first?.controller == true)
        #expect(object["spec"]?["replicas"] == 2)
        #expect(object.deletionTimestamp == nil)
        object.finalizers = []
        #expect(object.json["metadata"]?["finalizers"] == nil)
    }
}
