import AssayCore
import TestSupport
import Testing

@testable import AssayHTTP
@testable import AssayKube

/// A transport that records requests and answers from a script, for request-building tests.
final class FakeKubeTransport: KubeTransport {
    typealias Handler = @Sendable (ClientRequest) -> (Int, String)
    typealias Headers = @Sendable (Int) -> [(name: String, value: String)]
    private let handler: Handler
    private let headers: Headers
    private let recorded = Guarded<[ClientRequest]>([])

    /// `headers` gives the response's header fields for a status.
    init(headers: @escaping Headers = { _ in [] }, _ handler: @escaping Handler) {
        self.handler = handler
        self.headers = headers
    }

    var requests: [ClientRequest] { recorded.withLock { $0 } }

    func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
        recorded.withLock { $0.append(request) }
        let (status, body) = handler(request)
        return ClientResponse(status: status, headers: headers(status), body: Array(body.utf8))
    }

    func stream(_ request: ClientRequest) async throws(HTTPClientError) -> StreamingResponse {
        recorded.withLock { $0.append(request) }
        let (status, body) = handler(request)
        // Delivered in awkward chunks to exercise line reassembly.
        let bytes = Array(body.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min($0 + 7, bytes.count)]) }
        return StreamingResponse(
            status: status,
            body: AsyncThrowingStream { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish()
            })
    }
}

@Suite("KubeClient requests")
struct KubeClientTests {
    static let connection = KubeConnection(
        server: "https://api.test:6443/", namespace: "evals", auth: .token(KubeSecret("secret-token")))

    static func client(_ handler: @escaping FakeKubeTransport.Handler) -> (KubeClient, FakeKubeTransport) {
        let transport = FakeKubeTransport(handler)
        let client = KubeClient(
            connection: connection, transport: transport, rateLimiter: ClientRateLimiter(qps: 0, burst: 1))
        return (client, transport)
    }

    static let configMap =
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"evals","resourceVersion":"7"}}"#

    @Test("get uses the connection's namespace, asks for JSON and sends the bearer token")
    func get() async throws {
        let (client, transport) = Self.client { _ in (200, Self.configMap) }
        let object = try await client.get(.configMap, name: "c")
        #expect(object.resourceVersion == "7")
        let request = try #require(transport.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == "https://api.test:6443/api/v1/namespaces/evals/configmaps/c")
        #expect(request.header("Authorization") == "Bearer secret-token")
        #expect(request.header("Accept") == "application/json")
        #expect(!request.description.contains("secret-token"))
    }

    @Test("listAll follows continue tokens and keeps the first page's resourceVersion")
    func pagination() async throws {
        let (client, transport) = Self.client { request in
            if request.url.contains("continue=page2") {
                return (
                    200,
                    #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"99"},"items":[{"metadata":{"name":"b"}}]}"#
                )
            }
            return (
                200,
                #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"90","continue":"page2"},"items":[{"metadata":{"name":"a"}}]}"#
            )
        }
        let list = try await client.listAll(
            .configMap, namespace: "evals", options: ListOptions(labelSelector: "app=x"), pageSize: 1)
        #expect(list.items.compactMap(\.name) == ["a", "b"])
        #expect(list.resourceVersion == "90")
        #expect(
            transport.requests.map(\.url) == [
                "https://api.test:6443/api/v1/namespaces/evals/configmaps?labelSelector=app%3Dx&limit=1",
                "https://api.test:6443/api/v1/namespaces/evals/configmaps?labelSelector=app%3Dx&limit=1&continue=page2",
            ])
    }

    @Test(
        "each write operation uses its method, path, content type and query",
        arguments: [
            ("create", "POST", "/apis/apps/v1/namespaces/evals/deployments", "application/json"),
            ("replace", "PUT", "/apis/apps/v1/namespaces/evals/deployments/web", "application/json"),
            ("replaceStatus", "PUT", "/apis/apps/v1/namespaces/evals/deployments/web/status", "application/json"),
            ("merge", "PATCH", "/apis/apps/v1/namespaces/evals/deployments/web", "application/merge-patch+json"),
            (
                "patchStatus", "PATCH", "/apis/apps/v1/namespaces/evals/deployments/web/status",
                "application/merge-patch+json"
            ),
            ("json", "PATCH", "/apis/apps/v1/namespaces/evals/deployments/web", "application/json-patch+json"),
            (
                "apply", "PATCH",
                "/apis/apps/v1/namespaces/evals/deployments/web?fieldManager=assay-operator&force=true",
                "application/apply-patch+yaml"
            ),
            ("delete", "DELETE", "/apis/apps/v1/namespaces/evals/deployments/web", "application/json"),
        ])
    func writes(operation: String, method: String, path: String, contentType: String) async throws {
        let (client, transport) = Self.client { _ in
            (200, #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"evals"}}"#)
        }
        var deployment = KubeObject(.deployment, name: "web", body: JSONObject([("spec", ["replicas": 1])]))
        deployment.resourceVersion = "5"
        switch operation {
        case "create": _ = try await client.create(deployment, as: .deployment)
        case "replace": _ = try await client.replace(deployment, as: .deployment)
        case "replaceStatus": _ = try await client.replaceStatus(deployment, as: .deployment)
        case "merge": _ = try await client.patch(.deployment, name: "web", .merge(["spec": ["replicas": 2]]))
        case "patchStatus": _ = try await client.patchStatus(.deployment, name: "web", .merge(["status": [:]]))
        case "json":
            _ = try await client.patch(
                .deployment, name: "web",
                .json([.test(path: "/spec/replicas", value: 1), .replace(path: "/spec/replicas", value: 2)]))
        case "apply":
            _ = try await client.apply(deployment, as: .deployment, fieldManager: "assay-operator", force: true)
        default:
            _ = try await client.delete(
                .deployment, name: "web",
                options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u-1"))
        }
        let request = try #require(transport.requests.first)
        #expect(request.method == method)
        #expect(request.url == "https://api.test:6443" + path)
        #expect(request.header("Content-Type") == contentType)
        let body = try JSONParser.parse(request.body)
        switch operation {
        case "json":
            #expect(body.arrayValue?.first == ["op": "test", "path": "/spec/replicas", "value": 1])
        case "delete":
            #expect(body["propagationPolicy"] == "Foreground")
            #expect(body["preconditions"]?["uid"] == "u-1")
        case "create", "replace", "apply":
            #expect(body["metadata"]?["resourceVersion"] == "5")
            #expect(body["spec"]?["replicas"] == 1)
        default:
            break
        }
    }

    @Test("a 409 on replace surfaces as a typed conflict with the server's message")
    func conflict() async throws {
        let (client, _) = Self.client { _ in
            (
                409,
                #"{"kind":"Status","status":"Failure","reason":"Conflict","code":409,"message":"Operation cannot be fulfilled on configmaps \"c\": the object has been modified","details":{"name":"c","kind":"configmaps"}}"#
            )
        }
        await #expect {
            try await client.replace(KubeObject.configMap("c", rv: "1"), as: .configMap)
        } throws: { error in
            guard let error = error as? KubeError, error.isConflict, let status = error.status else { return false }
            return status.reason == .conflict && status.name == "c" && status.message.contains("has been modified")
        }
    }

    @Test("a delete answered with a Status returns nil; one answered with the object returns it")
    func deleteResults() async throws {
        let (gone, _) = Self.client { _ in (200, #"{"kind":"Status","status":"Success","code":200}"#) }
        #expect(try await gone.delete(.configMap, name: "c") == nil)
        let (pending, _) = Self.client { _ in (200, Self.configMap) }
        #expect(try await pending.delete(.configMap, name: "c")?.name == "c")
    }

    @Test("a 401 refreshes the credential and retries once, then reports Unauthorized")
    func unauthorizedRetry() async throws {
        let (client, transport) = Self.client { _ in
            (401, #"{"kind":"Status","reason":"Unauthorized","code":401,"message":"Unauthorized"}"#)
        }
        await #expect {
            try await client.get(.configMap, name: "c")
        } throws: { error in
            (error as? KubeError)?.status?.reason == .unauthorized && !"\(error)".contains("secret-token")
        }
        #expect(transport.requests.count == 2)
    }

    @Test("objects without a name are refused before any request")
    func missingName() async {
        let (client, transport) = Self.client { _ in (200, "{}") }
        await #expect(throws: KubeError.self) {
            try await client.replace(KubeObject(["kind": "ConfigMap"]), as: .configMap)
        }
        #expect(transport.requests.isEmpty)
    }

    @Test("watch asks for bookmarks from the resourceVersion and decodes every event line")
    func watchRequest() async throws {
        let lines = [
            #"{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"evals","resourceVersion":"11"}}}"#,
            #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"12"}}}"#,
            #"{"type":"DELETED","object":{"metadata":{"name":"a","namespace":"evals","resourceVersion":"13"}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}"#,
        ]
        let (client, transport) = Self.client { _ in (200, lines.joined(separator: "\n") + "\n") }
        var events: [WatchEvent] = []
        for try await event in try await client.watch(
            .configMap, namespace: "evals", resourceVersion: "10", timeoutSeconds: 60)
        {
            events.append(event)
        }
        #expect(events.count == 4)
        #expect(events[1] == .bookmark(resourceVersion: "12"))
        guard case .error(let status) = events[3] else {
            Issue.record("expected an ERROR event")
            return
        }
        #expect(status.code == 410)
        let request = try #require(transport.requests.first)
        #expect(
            request.url
                == "https://api.test:6443/api/v1/namespaces/evals/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=60&resourceVersion=10"
        )
        #expect(request.timeout == .seconds(65))
    }

    @Test("a watch refused with 410 throws a Gone error")
    func watchGone() async {
        let (client, _) = Self.client { _ in (410, #"{"kind":"Status","code":410,"reason":"Expired","message":"old"}"#)
        }
        await #expect {
            _ = try await client.watch(.configMap, resourceVersion: "1")
        } throws: { error in
            (error as? KubeError)?.isGone == true
        }
    }
}
