import AssayCore
import Dispatch
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator store")
struct KubeStoreTests {
    let configMaps = KubeObjectFixtures.configMaps

    @Test("create assigns uid, creationTimestamp and a resourceVersion, and reads back")
    func createAssignsServerFields() throws {
        let store = Store()
        let created = try store.create(configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a"))
            .object
        #expect(created.at(["metadata", "uid"])?.stringValue?.count == 36)
        #expect(created.at(["metadata", "creationTimestamp"])?.stringValue?.hasSuffix("Z") == true)
        #expect(created.at(["metadata", "namespace"]) == "default")
        #expect(created.at(["metadata", "generation"]) == nil, "ConfigMaps keep no generation")
        let read = try store.get(configMaps, namespace: "default", name: "a")
        #expect(read == created)
    }

    @Test("resourceVersions increase monotonically across resources")
    func resourceVersionsIncrease() throws {
        let store = Store()
        var last = 0
        for name in ["a", "b", "c"] {
            let object = try store.create(configMaps, namespace: "default", object: KubeObjectFixtures.configMap(name))
                .object
            let rv = try #require(Int(object.at(["metadata", "resourceVersion"])?.stringValue ?? ""))
            #expect(rv > last)
            last = rv
        }
        #expect(store.currentResourceVersion.value == UInt64(last))
    }

    @Test(
        "writes fail with the real API's Status reasons",
        arguments: [
            ("duplicate create", 409, "AlreadyExists"),
            ("missing namespace", 404, "NotFound"),
            ("stale resourceVersion", 409, "Conflict"),
            ("missing object", 404, "NotFound"),
            ("invalid name", 422, "Invalid"),
        ])
    func writeErrors(_ scenario: String, _ code: Int, _ reason: String) throws {
        let store = Store()
        let existing = try store.create(configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a"))
            .object
        let error = #expect(throws: APIError.self) {
            switch scenario {
            case "duplicate create":
                _ = try store.create(configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a"))
            case "missing namespace":
                _ = try store.create(configMaps, namespace: "nowhere", object: KubeObjectFixtures.configMap("a"))
            case "stale resourceVersion":
                var stale = existing
                stale.set(["metadata", "resourceVersion"], "1")
                _ = try store.write(configMaps, namespace: "default", name: "a") { _ in stale }
            case "missing object":
                _ = try store.write(configMaps, namespace: "default", name: "zzz") { current in current! }
            default:
                _ = try store.create(
                    configMaps, namespace: "default", object: KubeObjectFixtures.configMap("Not_Valid"))
            }
        }
        #expect(error?.code == code)
        #expect(error?.reason == reason)
        #expect(error?.status["kind"] == "Status")
        #expect(error?.status["status"] == "Failure")
        #expect(error?.status["code"] == .number(Double(code)))
    }

    @Test("generation moves on spec changes only, and status writes leave the spec alone")
    func generationAndStatusSeparation() throws {
        let (store, suites) = try KubeObjectFixtures.storeWithSuites()
        let created = try store.create(
            suites, namespace: "default",
            object: KubeObjectFixtures.suite("s", spec: ["model": "m"]).merging(status: ["phase": "Ignored"])
        ).object
        #expect(created.at(["metadata", "generation"]) == 1)
        #expect(created["status"] == nil, "status is dropped on create when it is a subresource")

        // Label change: no generation bump.
        var labelled = created
        labelled.set(["metadata", "labels"], ["a": "b"])
        let afterLabel = try store.write(suites, namespace: "default", name: "s") { _ in labelled }.object
        #expect(afterLabel.at(["metadata", "generation"]) == 1)

        // Status through the main resource is ignored.
        var withStatus = afterLabel
        withStatus.set(["status"], ["phase": "Sneaky"])
        let ignored = try store.write(suites, namespace: "default", name: "s") { _ in withStatus }
        #expect(ignored.object["status"] == nil)

        // Status subresource: status changes, spec edits in the same body are ignored, no bump.
        var statusBody = afterLabel
        statusBody.set(["status"], ["phase": "Ready"])
        statusBody.set(["spec", "model"], "changed-through-status")
        let statusWritten = try store.write(suites, namespace: "default", name: "s", subresource: .status) { _ in
            statusBody
        }.object
        #expect(statusWritten.at(["status", "phase"]) == "Ready")
        #expect(statusWritten.at(["spec", "model"]) == "m")
        #expect(statusWritten.at(["metadata", "generation"]) == 1)

        // Spec change: bump.
        var specChange = statusWritten
        specChange.set(["spec", "model"], "m2")
        let bumped = try store.write(suites, namespace: "default", name: "s") { _ in specChange }.object
        #expect(bumped.at(["metadata", "generation"]) == 2)
        #expect(bumped.at(["status", "phase"]) == "Ready")
    }

    @Test("a no-op update keeps the resourceVersion")
    func noOpUpdate() throws {
        let store = Store()
        let created = try store.create(configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a"))
            .object
        let updated = try store.write(configMaps, namespace: "default", name: "a") { current in current! }.object
        #expect(updated.at(["metadata", "resourceVersion"]) == created.at(["metadata", "resourceVersion"]))
    }

    @Test("lists filter by namespace and label selector")
    func listFilters() throws {
        let store = Store()
        _ = try store.create(
            KubeObjectFixtures.namespaces, namespace: "", object: ["metadata": ["name": "other"]])
        _ = try store.create(
            configMaps, namespace: "default", object: KubeObjectFixtures.configMap("a", labels: ["app": "web"]))
        _ = try store.create(
            configMaps, namespace: "default", object: KubeObjectFixtures.configMap("b", labels: ["app": "db"]))
        _ = try store.create(
            configMaps, namespace: "other", object: KubeObjectFixtures.configMap("c", labels: ["app": "web"]))
        let names = { (items: [JSONValue]) in items.compactMap { $0.at(["metadata", "name"])?.stringValue } }
        #expect(names(store.list(configMaps, namespace: "default").items) == ["a", "b"])
        #expect(names(store.list(configMaps, namespace: nil).items) == ["a", "b", "c"])
        let web = try LabelSelector(parsing: "app=web")
        #expect(names(store.list(configMaps, namespace: nil, labels: web).items) == ["a", "c"])
    }

    @Test("concurrent read-modify-write loops with conflict retries lose no update")
    func optimisticConcurrency() throws {
        let store = Store()
        _ = try store.create(
            configMaps, namespace: "default", object: KubeObjectFixtures.configMap("counter", data: ["n": "0"]))
        let workers = 4
        let incrementsPerWorker = 25
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            for _ in 0..<incrementsPerWorker {
                while true {
                    guard var object = try? store.get(configMaps, namespace: "default", name: "counter") else { return }
                    let n = Int(object.at(["data", "n"])?.stringValue ?? "") ?? 0
                    object.set(["data", "n"], .string(String(n + 1)))
                    do throws(APIError) {
                        _ = try store.write(configMaps, namespace: "default", name: "counter") { _ in object }
                        break
                    } catch {
                        #expect(error.reason == "Conflict")
                    }
                }
            }
        }
        let final = try store.get(configMaps, namespace: "default", name: "counter")
        #expect(final.at(["data", "n"]) == .string(String(workers * incrementsPerWorker)))
    }

    @Test("generateName creates a unique name with the prefix")
    func generateName() throws {
        let store = Store()
        let created = try store.create(
            configMaps, namespace: "default", object: ["metadata": ["generateName": "job-"], "data": [:]]
        ).object
        let name = try #require(created.at(["metadata", "name"])?.stringValue)
        #expect(name.hasPrefix("job-") && name.count == 9)
    }
}

extension JSONValue {
    func merging(status: JSONValue) -> JSONValue {
        var copy = self
        copy.set(["status"], status)
        return copy
    }
}

@Suite("Kubernetes emulator built-in details")
struct KubeBuiltinTests {
    @Test("Secrets default to Opaque and fold stringData into base64 data")
    func secrets() throws {
        let store = Store()
        let secrets = try #require(BuiltinResources.all.first { $0.plural == "secrets" })
        let created = try store.create(
            secrets, namespace: "default", object: ["metadata": ["name": "s"], "stringData": ["key": "val"]]
        ).object
        #expect(created["type"] == "Opaque")
        #expect(created.at(["data", "key"]) == "dmFs")
        #expect(created["stringData"] == nil)
    }

    @Test("protobuf bodies from kubectl's typed clients decode for ConfigMaps")
    func protobufConfigMap() throws {
        // k8s\0 + Unknown{typeMeta{apiVersion "v1", kind "ConfigMap"}, raw ConfigMap{metadata{name "p"}, data{"a": "b"}}}
        let meta: [UInt8] = [0x0A, 0x01, UInt8(ascii: "p")]
        let entry: [UInt8] = [0x0A, 0x01, UInt8(ascii: "a"), 0x12, 0x01, UInt8(ascii: "b")]
        let raw: [UInt8] = [0x0A, UInt8(meta.count)] + meta + [0x12, UInt8(entry.count)] + entry
        let typeMeta: [UInt8] = [0x0A, 0x02] + Array("v1".utf8) + [0x12, 0x09] + Array("ConfigMap".utf8)
        let body = ProtobufDecoder.magic + [0x0A, UInt8(typeMeta.count)] + typeMeta + [0x12, UInt8(raw.count)] + raw
        let decoded = try ProtobufDecoder.decode(body)
        #expect(decoded == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p"], "data": ["a": "b"]])
    }
}

@Suite("Kubernetes emulator built-in defaults")
struct KubeBuiltinDefaultsTests {
    @Test("Services get a type, a cluster IP that survives updates, and port defaults")
    func services() throws {
        let store = Store()
        let services = try #require(BuiltinResources.all.first { $0.plural == "services" })
        let created = try store.create(
            services, namespace: "default", object: ["metadata": ["name": "svc"], "spec": ["ports": [["port": 80]]]]
        ).object
        #expect(created.at(["spec", "type"]) == "ClusterIP")
        let ip = try #require(created.at(["spec", "clusterIP"])?.stringValue)
        #expect(ip.hasPrefix("10.96."))
        #expect(created.at(["spec", "ports"])?.arrayValue?.first == ["port": 80, "protocol": "TCP", "targetPort": 80])
        let updated = try store.write(services, namespace: "default", name: "svc") { _ in
            ["metadata": ["name": "svc"], "spec": ["ports": [["port": 81]]]]
        }.object
        #expect(updated.at(["spec", "clusterIP"]) == .string(ip))
    }

    @Test("Deployments get replicas and strategy defaults")
    func deployments() throws {
        let store = Store()
        let created = try store.create(
            KubeObjectFixtures.deployments, namespace: "default", object: ["metadata": ["name": "d"], "spec": [:]]
        ).object
        #expect(created.at(["spec", "replicas"]) == 1)
        #expect(created.at(["spec", "strategy", "type"]) == "RollingUpdate")
    }
}
