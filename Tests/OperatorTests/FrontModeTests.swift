import AssayCore
import AssayKube
import Foundation
import TestSupport
import Testing

/// The emulator in front of the real apiextensions-apiserver (`tools/kube-real`): one API whose
/// built-in objects live in the emulator and whose custom resources live in the real server, with
/// garbage collection, namespaces and discovery working across the two.
@Suite(
    "Front mode: the emulator in front of the real apiextensions-apiserver", .serialized,
    .enabled(if: KubeBackend.available.contains(.real), "\(KubeBackend.realMissing ?? "")"))
struct FrontModeTests {
    /// A running combined API with the EvaluationSuite CRD served.
    static func cluster() async throws -> EmulatorProcess {
        let server = try EmulatorProcess(backend: .real)
        do {
            try await server.installCRD(
                at: Repository.path("config/crd/evaluationsuites.yaml"), serving: .evaluationSuite)
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    static func suite(_ name: String, namespace: String = "default") throws -> KubeObject {
        var object = KubeObject(try JSONParser.parse(Array(KubeDifferentialScript.suite(name).utf8)))
        object["metadata"] = ["name": .string(name), "namespace": .string(namespace)]
        return object
    }

    /// A ConfigMap in the emulator owned by `owner`, which lives in the real server.
    static func dependent(_ name: String, of owner: KubeObject) throws -> KubeObject {
        var object = KubeObject(.configMap, name: name, namespace: owner.namespace ?? "default")
        object.ownerReferences = [try #require(OwnerReference(controlledBy: owner))]
        return object
    }

    func exists(_ client: KubeClient, _ kind: ResourceKind, _ name: String, in namespace: String = "default")
        async throws -> Bool
    {
        do {
            _ = try await client.get(kind, name: name, namespace: namespace)
            return true
        } catch  where error.isNotFound {
            return false
        }
    }

    @Test("dependents here of owners there go with background and foreground deletion, stay with orphan")
    func garbageCollection() async throws {
        let server = try await Self.cluster()
        defer { server.stop() }
        let client = server.client
        var owners: [String: KubeObject] = [:]
        for name in ["background", "foreground", "orphan", "behind-the-back", "alive"] {
            let owner = try await client.create(try Self.suite(name), as: .evaluationSuite)
            owners[name] = owner
            _ = try await client.create(try Self.dependent("\(name)-child", of: owner), as: .configMap)
        }

        _ = try await client.delete(.evaluationSuite, name: "background", namespace: "default")
        _ = try await client.delete(
            .evaluationSuite, name: "foreground", namespace: "default",
            options: DeleteOptions(propagationPolicy: .foreground))
        _ = try await client.delete(
            .evaluationSuite, name: "orphan", namespace: "default", options: DeleteOptions(propagationPolicy: .orphan))
        // Straight to the real server: only the collector's sweep can notice.
        let real = KubeClient(
            connection: try KubeConfig.load(paths: [server.realKubeconfig]).connection(),
            rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
        _ = try await real.delete(.evaluationSuite, name: "behind-the-back", namespace: "default")

        try await eventually("background and foreground dependents are collected", within: .seconds(10)) {
            for name in ["background-child", "foreground-child", "behind-the-back-child"] {
                if try await exists(client, .configMap, name) { return false }
            }
            return true
        }
        for name in ["background", "foreground", "orphan"] {
            try await eventually("\(name) is gone upstream", within: .seconds(10)) {
                try await !exists(client, .evaluationSuite, name)
            }
        }
        let orphaned = try await client.get(.configMap, name: "orphan-child", namespace: "default")
        #expect(orphaned.ownerReferences.isEmpty)
        // The sweep that found behind-the-back gone kept what a live owner holds.
        let kept = try await client.get(.configMap, name: "alive-child", namespace: "default")
        #expect(kept.ownerReferences.first?.uid == owners["alive"]?.uid)
    }

    @Test("custom resources need an existing namespace and go with it; discovery and request counts span both")
    func namespacesAndDiscovery() async throws {
        let server = try await Self.cluster()
        defer { server.stop() }
        let client = server.client
        await #expect {
            _ = try await client.create(try Self.suite("lost", namespace: "nowhere"), as: .evaluationSuite)
        } throws: { error in
            (error as? KubeError)?.isNotFound == true
        }
        _ = try await client.create(KubeObject(.namespace, name: "doomed"), as: .namespace)
        _ = try await client.create(try Self.suite("inside", namespace: "doomed"), as: .evaluationSuite)
        _ = try await client.delete(.namespace, name: "doomed")
        try await eventually("the namespace's custom resources are deleted upstream", within: .seconds(10)) {
            try await !exists(client, .evaluationSuite, "inside", in: "doomed")
        }

        let groups = try await LocalHTTP.get(server.baseURL + "/apis")
        for group in ["apps", "apiextensions.k8s.io", "eval.assay.dev", "coordination.k8s.io"] {
            #expect(groups.body.contains("\"name\":\"\(group)\""), "\(groups.body)")
        }
        let document = try await LocalHTTP.get(server.baseURL + "/openapi/v3/apis/eval.assay.dev/v1alpha1")
        #expect(document.status == 200)
        #expect(document.body.contains("dev.assay.eval.v1alpha1.EvaluationSuite"))
        let counts = try JSONParser.parse(
            Array(try await LocalHTTP.get(server.baseURL + "/emulator/requests").body.utf8))
        #expect(counts["byResource"]?["evaluationsuites.eval.assay.dev"]?["create"] == 2)
        #expect(counts["byResource"]?["namespaces"]?["delete"] == 1)
    }
}
