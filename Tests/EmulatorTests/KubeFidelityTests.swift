import AssayCore
import Foundation
import TestSupport
import Testing

@testable import KubeEmulator

/// Pieces of the emulator written to answer as the real API server does (see the emulator README's
/// "Held to the real server"), tested on their own.
@Suite("Kubernetes emulator: the real server's wording and formats")
struct KubeFidelityTests {
    @Test("a continue token round-trips, and a token that does not decode is a 400 worded as the server words it")
    func continueTokens() throws {
        func raw(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        }
        let token = ContinueToken(resourceVersion: 42, start: "default/b\u{0}")
        #expect(try ContinueToken(decoding: token.encoded) == token)
        #expect(!token.encoded.contains("="))
        let cases: [(String, String)] = [
            ("garbage", "invalid character '\\x81' looking for beginning of value"),
            ("ab!c", "illegal base64 data at input byte 2"),
            (raw(#"{"v":"meta.k8s.io/v2","rv":1,"start":"x"}"#), "incorrect encoded start"),
            (raw(#"{"v":"meta.k8s.io/v1"}"#), "encoded start key is missing"),
            // The server's tokens carry no padding.
            (Data("{}".utf8).base64EncodedString(), "illegal base64 data at input byte"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: APIError.self) { _ = try ContinueToken(decoding: text) }
            #expect(error?.code == 400)
            #expect(error?.message.hasPrefix("invalid continue token: continue key is not valid: ") == true)
            #expect(error?.message.contains(expected) == true, "\(text): \(error?.message ?? "")")
        }
    }

    @Test("apply conflicts: one on one line, several grouped by manager in sorted order")
    func conflictMessages() {
        let type = KubeObjectFixtures.configMaps
        let one = ServerSideApply.conflictError(
            [.init(reason: "FieldManagerConflict", message: "conflict with \"alice\"", field: ".data.k")], type: type,
            name: "c")
        #expect(one.message == "Apply failed with 1 conflict: conflict with \"alice\": .data.k")
        let several = ServerSideApply.conflictError(
            [
                .init(reason: "FieldManagerConflict", message: "conflict with \"zed\"", field: ".data.a"),
                .init(reason: "FieldManagerConflict", message: "conflict with \"alice\"", field: ".data.b"),
                .init(reason: "FieldManagerConflict", message: "conflict with \"alice\"", field: ".data.c"),
            ], type: type, name: "c")
        #expect(
            several.message
                == "Apply failed with 3 conflicts: conflicts with \"alice\":\n- .data.b\n- .data.c\nconflicts with \"zed\":\n- .data.a"
        )
        #expect(several.causes.count == 3)
        #expect(several.code == 409)
    }

    @Test("managed fields of updates: maps as members, finalizers and owner references as elements, status apart")
    func updateManagedFields() {
        let old: JSONValue = ["metadata": ["name": "x"], "spec": ["a": 1], "status": ["phase": "P"]]
        let new: JSONValue = [
            "metadata": [
                "name": "x", "finalizers": ["f"], "ownerReferences": [["uid": "u1", "name": "o"]],
            ],
            "spec": ["a": 2, "b": ["c": 1]], "status": ["phase": "Q"],
        ]
        let main = ManagedFields.recordUpdate(
            old: old, new: new, manager: "m", apiVersion: "v1", subresource: nil, hasStatus: true)
        let entry = main.at(["metadata", "managedFields"])?.arrayValue?.first
        #expect(entry?["manager"] == "m")
        #expect(entry?["subresource"] == nil)
        let fields = entry?["fieldsV1"]
        #expect(fields?.at(["f:spec", "f:b", "."]) == [:])
        #expect(fields?.at(["f:spec", "f:a"]) == [:])
        #expect(fields?.at(["f:metadata", "f:finalizers", "v:\"f\""]) == [:])
        #expect(fields?.at(["f:metadata", "f:ownerReferences", #"k:{"uid":"u1"}"#, "f:name"]) == [:])
        #expect(fields?["f:status"] == nil)
        let status = ManagedFields.recordUpdate(
            old: old, new: new, manager: "m", apiVersion: "v1", subresource: .status, hasStatus: true)
        let statusEntry = status.at(["metadata", "managedFields"])?.arrayValue?.first
        #expect(statusEntry?["subresource"] == "status")
        #expect(statusEntry?.at(["fieldsV1", "f:status", "f:phase"]) == [:])
        #expect(statusEntry?.at(["fieldsV1", "f:spec"]) == nil)
        #expect(ManagedFields.manager(userAgent: "kubectl/v1.32.4 (linux/amd64)") == "kubectl")
        #expect(
            ManagedFields.recordUpdate(
                old: old, new: new, manager: "", apiVersion: "v1", subresource: nil, hasStatus: true) == new)
    }

    @Test("built-in schemas that cannot be read say which file and why")
    func schemaFileErrors() throws {
        let directory = NSTemporaryDirectory() + "kube-schemas-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = #expect(throws: BuiltinSchemas.LoadError.self) {
            _ = try BuiltinSchemas(path: "\(directory)/none.json")
        }
        #expect(missing?.description.contains("tools/gen-kube-openapi") == true)
        for (name, text, expected) in [("bad.json", "{", "bad.json"), ("empty.json", "{}", "no \"schemas\"")] {
            try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
            let error = #expect(throws: BuiltinSchemas.LoadError.self) {
                _ = try BuiltinSchemas(path: "\(directory)/\(name)")
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        }
    }

    @Test("in front mode, a real server that does not answer is a 503, and the emulator's own groups still serve")
    func upstreamDown() throws {
        let directory = NSTemporaryDirectory() + "kube-front-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Nothing listens on the discard port.
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """
        try kubeconfig.write(toFile: "\(directory)/kubeconfig", atomically: true, encoding: .utf8)
        var configuration = APIServer.Configuration()
        configuration.upstream = try Upstream(kubeconfig: "\(directory)/kubeconfig")
        let server = APIServer(store: Store(), configuration: configuration)
        defer { server.front?.stop() }
        let forwarded = server.call("GET", "/apis/eval.assay.dev/v1alpha1/namespaces/default/evaluationsuites")
        #expect(forwarded.status == 503)
        #expect(forwarded.body["reason"] == "ServiceUnavailable")
        let watch = server.openWatch("/apis/eval.assay.dev/v1alpha1/evaluationsuites?watch=true")
        #expect(watch.status == 503)
        let groups = server.call("GET", "/apis")
        let names = (groups.body["groups"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names.contains("apps") && names.contains("apiextensions.k8s.io") && !names.contains("eval.assay.dev"))
        #expect(server.call("GET", "/api/v1/namespaces/default/configmaps").status == 200)
        #expect(server.call("GET", "/openapi/v3/apis/eval.assay.dev/v1alpha1").status == 404)
    }
}
