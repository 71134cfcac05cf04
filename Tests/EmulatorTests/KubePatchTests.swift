import AssayCore
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator patches")
struct KubePatchTests {
    @Test(
        "JSON merge patch follows RFC 7386",
        arguments: [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[1,2]}"#, #"{"a":[3]}"#, #"{"a":[3]}"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        ])
    func mergePatch(_ target: String, _ patch: String, _ expected: String) throws {
        let result = MergePatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(target))
        #expect(result == (try JSONCodec.parse(expected)))
    }

    @Test(
        "JSON patch follows RFC 6902",
        arguments: [
            (#"{"a":1}"#, #"[{"op":"add","path":"/b","value":2}]"#, #"{"a":1,"b":2}"#),
            (#"{"a":[1,3]}"#, #"[{"op":"add","path":"/a/1","value":2}]"#, #"{"a":[1,2,3]}"#),
            (#"{"a":[1]}"#, #"[{"op":"add","path":"/a/-","value":2}]"#, #"{"a":[1,2]}"#),
            (#"{"a":1,"b":2}"#, #"[{"op":"remove","path":"/a"}]"#, #"{"b":2}"#),
            (#"{"a":1}"#, #"[{"op":"replace","path":"/a","value":5}]"#, #"{"a":5}"#),
            (#"{"a":{"x":1}}"#, #"[{"op":"move","from":"/a/x","path":"/y"}]"#, #"{"a":{},"y":1}"#),
            (#"{"a":1}"#, #"[{"op":"copy","from":"/a","path":"/b"}]"#, #"{"a":1,"b":1}"#),
            (#"{"a~b":1}"#, #"[{"op":"replace","path":"/a~0b","value":2}]"#, #"{"a~b":2}"#),
            (
                #"{"a":1}"#, #"[{"op":"test","path":"/a","value":1},{"op":"add","path":"/t","value":true}]"#,
                #"{"a":1,"t":true}"#
            ),
        ])
    func jsonPatch(_ target: String, _ patch: String, _ expected: String) throws {
        let result = try JSONPatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(target))
        #expect(result == (try JSONCodec.parse(expected)))
    }

    @Test(
        "JSON patch failures are 422s",
        arguments: [
            #"[{"op":"test","path":"/a","value":2}]"#,
            #"[{"op":"remove","path":"/missing"}]"#,
            #"[{"op":"replace","path":"/missing","value":1}]"#,
            #"[{"op":"frobnicate","path":"/a"}]"#,
        ])
    func jsonPatchFailures(_ patch: String) throws {
        let error = #expect(throws: APIError.self) {
            _ = try JSONPatch.apply(try JSONCodec.parse(patch), to: ["a": 1])
        }
        #expect(error?.code == 422)
    }

    @Test("server-side apply merges, records the manager, and removes fields the manager dropped")
    func serverSideApply() throws {
        let type = KubeObjectFixtures.configMaps
        let first = try ServerSideApply.apply(
            ["metadata": ["name": "c", "labels": ["a": "1"]], "data": ["x": "1", "y": "2"]], to: nil, manager: "tool",
            force: false, type: type)
        let managers = first.at(["metadata", "managedFields"])?.arrayValue ?? []
        #expect(managers.count == 1)
        #expect(managers.first?["manager"] == "tool")
        #expect(managers.first?["operation"] == "Apply")
        #expect(managers.first?.at(["fieldsV1", "f:data", "f:x"]) == .object(JSONObject()))

        let second = try ServerSideApply.apply(
            ["metadata": ["name": "c"], "data": ["x": "1"]], to: first, manager: "tool", force: false, type: type)
        #expect(second.at(["data", "y"]) == nil, "a field the manager stopped applying is removed")
        #expect(second.at(["metadata", "labels", "a"]) == nil)
        #expect(second.at(["data", "x"]) == "1")
    }

    @Test("server-side apply by another manager conflicts on a differing value unless forced")
    func serverSideApplyConflicts() throws {
        let type = KubeObjectFixtures.configMaps
        let owned = try ServerSideApply.apply(
            ["metadata": ["name": "c"], "data": ["x": "1"]], to: nil, manager: "a", force: false, type: type)
        // Same value: shared ownership, no conflict.
        let shared = try ServerSideApply.apply(
            ["metadata": ["name": "c"], "data": ["x": "1", "z": "3"]], to: owned, manager: "b", force: false, type: type
        )
        #expect(shared.at(["data", "z"]) == "3")
        let error = #expect(throws: APIError.self) {
            _ = try ServerSideApply.apply(
                ["metadata": ["name": "c"], "data": ["x": "2"]], to: shared, manager: "b", force: false, type: type)
        }
        #expect(error?.code == 409)
        #expect(error?.causes.first?.reason == "FieldManagerConflict")
        #expect(error?.causes.first?.field == ".data.x")
        let forced = try ServerSideApply.apply(
            ["metadata": ["name": "c"], "data": ["x": "2"]], to: shared, manager: "b", force: true, type: type)
        #expect(forced.at(["data", "x"]) == "2")
        let managerA = forced.at(["metadata", "managedFields"])?.arrayValue?.first { $0["manager"] == "a" }
        #expect(managerA == nil, "the forced field was the only one a owned")
    }

    @Test(
        "PATCH content types through the API handler",
        arguments: [
            ("application/merge-patch+json", 200),
            ("application/strategic-merge-patch+json", 200),
            ("application/apply-patch+yaml", 200),
            ("text/plain", 415),
        ])
    func patchContentTypes(_ contentType: String, _ expected: Int) {
        let server = APIServer(store: Store())
        _ = server.call("POST", "/api/v1/namespaces/default/configmaps", body: KubeObjectFixtures.configMap("c"))
        let reply = server.call(
            "PATCH", "/api/v1/namespaces/default/configmaps/c?fieldManager=test",
            body: ["data": ["added": "yes"]], headers: ["content-type": contentType])
        #expect(reply.status == expected)
        if expected == 200 { #expect(reply.body.at(["data", "added"]) == "yes") }
    }

    @Test("strategic merge patch on a custom resource is 415, as on a real server")
    func strategicMergeOnCustomResource() {
        let server = APIServer(store: Store())
        #expect(
            server.call(
                "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: KubeObjectFixtures.suiteCRD
            )
            .status == 201)
        let path = "/apis/assay.dev/v1/namespaces/default/evaluationsuites"
        #expect(server.call("POST", path, body: KubeObjectFixtures.suite("s", spec: ["model": "m"])).status == 201)
        let reply = server.call(
            "PATCH", path + "/s", body: ["spec": ["model": "n"]],
            headers: ["content-type": "application/strategic-merge-patch+json"])
        #expect(reply.status == 415)
        #expect(reply.body["reason"] == "UnsupportedMediaType")
    }

    @Test("fields set by an update manager conflict with a later apply of a different value")
    func updateManagersConflictWithAppliers() {
        let server = APIServer(store: Store())
        let path = "/api/v1/namespaces/default/configmaps"
        #expect(
            server.call("POST", path + "?fieldManager=editor", body: KubeObjectFixtures.configMap("c")).status == 201)
        let apply = ["content-type": "application/apply-patch+yaml"]
        let body: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["k": "new"],
        ]
        let conflict = server.call("PATCH", path + "/c?fieldManager=applier", body: body, headers: apply)
        #expect(conflict.status == 409)
        #expect(conflict.body.at(["details", "causes"])?.arrayValue?.first?["field"] == ".data.k")
        let forced = server.call("PATCH", path + "/c?fieldManager=applier&force=true", body: body, headers: apply)
        #expect(forced.status == 200)
        // The applier takes .data.k; the editor keeps only the data map it created.
        let managers = forced.body.at(["metadata", "managedFields"])?.arrayValue ?? []
        #expect(managers.compactMap { $0["manager"]?.stringValue } == ["applier", "editor"])
        let editor = managers.first { $0["manager"] == "editor" }
        #expect(editor?.at(["fieldsV1", "f:data", "f:k"]) == nil)
        #expect(editor?.at(["fieldsV1", "f:data"]) == [:])
    }

    @Test("an apply configuration may be YAML")
    func yamlApplyBody() {
        let server = APIServer(store: Store())
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n"
        let reply = server.handle(
            EmulatorRequest(
                method: "PATCH", target: "/api/v1/namespaces/default/configmaps/y?fieldManager=t",
                headers: ["content-type": "application/apply-patch+yaml"], body: Array(yaml.utf8)))
        guard case .full(let status, _, let bytes) = reply else {
            Issue.record("expected a complete reply")
            return
        }
        #expect(status == 201)
        #expect((try? JSONCodec.parse(bytes))?.at(["data", "k"]) == "v")
    }
}

@Suite("Kubernetes emulator strategic merge patch")
struct KubeStrategicMergePatchTests {
    static let deployment: JSONValue = [
        "spec": [
            "template": [
                "spec": [
                    "containers": [
                        ["name": "a", "image": "a:1", "ports": [["containerPort": 80]]],
                        ["name": "b", "image": "b:1"],
                    ]
                ]
            ]
        ],
        "metadata": ["finalizers": ["x"]],
    ]

    @Test(
        "strategic merge patches merge lists by key and honour kubectl's directives",
        arguments: [
            (
                #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"a","image":"a:2"}]}}}}"#,
                #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2","ports":[{"containerPort":80}]},{"name":"b","image":"b:1"}]}}},"metadata":{"finalizers":["x"]}}"#
            ),
            (
                #"{"spec":{"template":{"spec":{"containers":[{"name":"b","$patch":"delete"}]}}}}"#,
                #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1","ports":[{"containerPort":80}]}]}}},"metadata":{"finalizers":["x"]}}"#
            ),
            (
                #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}}}"#,
                #"{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:1"},{"name":"a","image":"a:1","ports":[{"containerPort":80}]}]}}},"metadata":{"finalizers":["x"]}}"#
            ),
            (
                #"{"metadata":{"finalizers":["y"],"$deleteFromPrimitiveList/finalizers":["x"]}}"#,
                #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1","ports":[{"containerPort":80}]},{"name":"b","image":"b:1"}]}}},"metadata":{"finalizers":["y"]}}"#
            ),
            (
                #"{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:1"}]}}}}"#,
                #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1","ports":[{"containerPort":80}]},{"name":"b","image":"b:1"},{"name":"c","image":"c:1"}]}}},"metadata":{"finalizers":["x"]}}"#
            ),
        ])
    func strategicMerge(_ patch: String, _ expected: String) throws {
        let result = try StrategicMergePatch.apply(try JSONCodec.parse(patch), to: Self.deployment)
        #expect(result == (try JSONCodec.parse(expected)))
    }
}
