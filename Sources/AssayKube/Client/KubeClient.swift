import AssayCore
import AssayHTTP

/// REST access to a Kubernetes API server: get, list, create, replace, patch, server-side apply,
/// delete, the status subresource, and raw watches. Objects are ``KubeObject`` (JSON with typed
/// metadata); the resource type is named by a ``ResourceKind``.
///
/// Every request waits on the client's ``ClientRateLimiter`` first, so one client cannot flood the
/// API server however many tasks share it. A non-2xx answer throws ``KubeError/api(_:)`` with the
/// server's `Status`; after a 401 the credential is refreshed (token file re-read, exec plugin
/// re-run) and the request retried once. When the server sheds load (429, or a 5xx with
/// `Retry-After`) the client waits what it asked and sends again (``APIFlowControl``).
public struct KubeClient: Sendable {
    /// Extra time the client waits past a watch's `timeoutSeconds`, so that the server's normal
    /// close, not our timeout, ends a quiet watch.
    public static let watchTimeoutSlack: Duration = .seconds(5)

    public let connection: KubeConnection
    /// Sent as `User-Agent`, which API server audit logs and our emulator's request counts group by.
    public let userAgent: String
    private let transport: any KubeTransport
    private let authenticator: KubeAuthenticator
    private let rateLimiter: ClientRateLimiter

    public init(
        connection: KubeConnection, transport: (any KubeTransport)? = nil,
        rateLimiter: ClientRateLimiter = ClientRateLimiter(), userAgent: String = "assay"
    ) {
        self.connection = connection
        self.userAgent = userAgent
        self.transport = transport ?? KubeCurlTransport(tls: connection.tls)
        self.authenticator = KubeAuthenticator(connection.auth, server: connection.server)
        self.rateLimiter = rateLimiter
    }

    /// A client for what ``KubeConnection/infer(context:environment:)`` finds.
    public static func infer(context: String? = nil) throws(KubeError) -> KubeClient {
        KubeClient(connection: try KubeConnection.infer(context: context))
    }

    // MARK: Reading

    /// `namespace` defaults to the connection's for namespaced kinds.
    public func get(_ kind: ResourceKind, name: String, namespace: String? = nil) async throws(KubeError) -> KubeObject
    {
        let path = ResourcePath(kind, namespace: resolve(namespace, kind), name: try checked(name))
        return try await object(from: request("GET", path))
    }

    /// One page. `namespace` `nil` lists across all namespaces.
    public func list(_ kind: ResourceKind, namespace: String? = nil, options: ListOptions = ListOptions())
        async throws(KubeError) -> KubeObjectList
    {
        let value = try await json(from: request("GET", ResourcePath(kind, namespace: namespace, query: options.query)))
        guard let items = value["items"]?.arrayValue else { throw .decoding("list of \(kind) without items") }
        let continueToken = value["metadata"]?["continue"]?.stringValue
        return KubeObjectList(
            items: items.map(KubeObject.init),
            resourceVersion: value["metadata"]?["resourceVersion"]?.stringValue ?? "",
            continueToken: continueToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Every page, `pageSize` objects at a time. The result's resourceVersion is the first page's:
    /// all pages are a consistent snapshot at it.
    public func listAll(
        _ kind: ResourceKind, namespace: String? = nil, options: ListOptions = ListOptions(), pageSize: Int = 500
    ) async throws(KubeError) -> KubeObjectList {
        var options = options
        options.limit = pageSize
        var page = try await list(kind, namespace: namespace, options: options)
        var all = KubeObjectList(items: page.items, resourceVersion: page.resourceVersion)
        while let token = page.continueToken {
            options.continueToken = token
            options.resourceVersion = nil
            page = try await list(kind, namespace: namespace, options: options)
            all.items += page.items
        }
        return all
    }

    // MARK: Writing

    /// Creates `object` (its namespace, or the connection's). 409 `AlreadyExists` if the name is taken.
    public func create(_ object: KubeObject, as kind: ResourceKind) async throws(KubeError) -> KubeObject {
        let path = ResourcePath(kind, namespace: resolve(object.namespace, kind))
        return try await self.object(from: request("POST", path, body: object.json))
    }

    /// Replaces `object` whole (PUT). With `metadata.resourceVersion` set, the server refuses with
    /// 409 `Conflict` (``KubeError/isConflict``) if the object changed since it was read.
    public func replace(_ object: KubeObject, as kind: ResourceKind) async throws(KubeError) -> KubeObject {
        let path = ResourcePath(kind, namespace: resolve(object.namespace, kind), name: try checked(object.name))
        return try await self.object(from: request("PUT", path, body: object.json))
    }

    /// Replaces the status subresource only (spec changes in `object` are ignored by the server).
    public func replaceStatus(_ object: KubeObject, as kind: ResourceKind) async throws(KubeError) -> KubeObject {
        let path = ResourcePath(
            kind, namespace: resolve(object.namespace, kind), name: try checked(object.name), subresource: "status")
        return try await self.object(from: request("PUT", path, body: object.json))
    }

    /// Patches the object, or its `subresource` (`"status"`).
    public func patch(
        _ kind: ResourceKind, name: String, namespace: String? = nil, _ patch: KubePatch, subresource: String? = nil
    ) async throws(KubeError) -> KubeObject {
        let path = ResourcePath(
            kind, namespace: resolve(namespace, kind), name: try checked(name), subresource: subresource,
            query: patch.query)
        return try await object(from: request("PATCH", path, body: patch.body, contentType: patch.contentType))
    }

    /// Patches the status subresource.
    public func patchStatus(_ kind: ResourceKind, name: String, namespace: String? = nil, _ patch: KubePatch)
        async throws(KubeError) -> KubeObject
    {
        try await self.patch(kind, name: name, namespace: namespace, patch, subresource: "status")
    }

    /// Server-side apply of `object` as `fieldManager`; `force` takes over conflicting fields.
    public func apply(
        _ object: KubeObject, as kind: ResourceKind, fieldManager: String, force: Bool = false,
        subresource: String? = nil
    ) async throws(KubeError) -> KubeObject {
        try await patch(
            kind, name: try checked(object.name), namespace: object.namespace,
            .apply(object.json, fieldManager: fieldManager, force: force), subresource: subresource)
    }

    /// Deletes the object. Returns the object while finalizers or foreground deletion keep it
    /// around, `nil` when it is gone.
    @discardableResult
    public func delete(
        _ kind: ResourceKind, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws(KubeError) -> KubeObject? {
        let path = ResourcePath(kind, namespace: resolve(namespace, kind), name: try checked(name))
        let value = try await json(from: request("DELETE", path, body: options.body))
        return value["kind"]?.stringValue == "Status" ? nil : KubeObject(value)
    }

    // MARK: Untyped access

    /// Any request, for what the typed calls do not cover (`scale`, discovery, ...). Returns the
    /// parsed body of a 2xx answer.
    public func send(
        _ method: String, _ path: ResourcePath, body: JSONValue? = nil, contentType: String = "application/json"
    ) async throws(KubeError) -> JSONValue {
        try await json(from: request(method, path, body: body, contentType: contentType))
    }

    // MARK: Watching

    /// Opens one watch from `resourceVersion` with bookmarks. The stream ends when the server
    /// closes the watch after `timeoutSeconds`; a 410 at the start throws ``KubeError/api(_:)``.
    /// ``Watcher`` builds list-then-watch with relists and backoff on this.
    public func watch(
        _ kind: ResourceKind, namespace: String? = nil, resourceVersion: String, options: ListOptions = ListOptions(),
        timeoutSeconds: Int = WatcherConfiguration.defaultTimeoutSeconds
    ) async throws(KubeError) -> AsyncThrowingStream<WatchEvent, any Error> {
        var query = [("watch", "1"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(timeoutSeconds))]
        if !resourceVersion.isEmpty { query.append(("resourceVersion", resourceVersion)) }
        var filters = options
        filters.limit = nil
        filters.continueToken = nil
        filters.resourceVersion = nil
        query += filters.query
        let path = ResourcePath(kind, namespace: namespace, query: query)
        let timeout = Duration.seconds(timeoutSeconds) + Self.watchTimeoutSlack
        let response = try await open(path, timeout: timeout, retryOnUnauthorized: true)
        let lines = response.lines()
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await line in lines {
                        continuation.yield(try WatchEvent(line: line))
                    }
                    continuation.finish()
                } catch let error as HTTPClientError {
                    continuation.finish(throwing: KubeError.transport(error))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: Plumbing

    private func resolve(_ namespace: String?, _ kind: ResourceKind) -> String? {
        guard kind.namespaced else { return nil }
        if let namespace, !namespace.isEmpty { return namespace }
        return connection.namespace
    }

    private func checked(_ name: String?) throws(KubeError) -> String {
        guard let name, !name.isEmpty else { throw .invalidRequest("the object has no metadata.name") }
        return name
    }

    private func headers(contentType: String?) async throws(KubeError) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", userAgent)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let authorization = try await authenticator.authorization() {
            headers.append(("Authorization", authorization.revealedText))
        }
        return headers
    }

    private func throttle() async throws(KubeError) {
        do {
            try await rateLimiter.acquire()
        } catch {
            throw .cancelled
        }
    }

    /// Sends one request and returns the 2xx response; retries once after a 401, and up to
    /// ``APIFlowControl/maxRetries`` times when the server asks to come back later.
    private func request(
        _ method: String, _ path: ResourcePath, body: JSONValue? = nil, contentType: String = "application/json"
    ) async throws(KubeError) -> ClientResponse {
        let bytes = body.map(JSONWriter.bytes) ?? []
        var refreshed = false
        var shed = 0
        while true {
            try await throttle()
            let request = ClientRequest(
                method: method, url: connection.server + path.description,
                headers: try await headers(contentType: body == nil ? nil : contentType), body: bytes)
            let response: ClientResponse
            do {
                response = try await transport.send(request)
            } catch .cancelled {
                throw .cancelled
            } catch {
                throw .transport(error)
            }
            if (200..<300).contains(response.status) { return response }
            if response.status == 401 && !refreshed && connection.auth != .none {
                refreshed = true
                await authenticator.invalidate()
                continue
            }
            let error = KubeStatusError(httpStatus: response.status, body: response.body)
            if shed < APIFlowControl.maxRetries,
                let wait = APIFlowControl.retryDelay(status: response.status, headers: response.headers, error: error)
            {
                shed += 1
                do {
                    try await rateLimiter.wait(retryAfter: wait)
                } catch {
                    throw .cancelled
                }
                continue
            }
            throw .api(error)
        }
    }

    /// Opens a streaming request and returns it once a 2xx head arrived.
    private func open(_ path: ResourcePath, timeout: Duration, retryOnUnauthorized: Bool) async throws(KubeError)
        -> StreamingResponse
    {
        try await throttle()
        let request = ClientRequest(
            method: "GET", url: connection.server + path.description, headers: try await headers(contentType: nil),
            timeout: timeout)
        let response: StreamingResponse
        do {
            response = try await transport.stream(request)
        } catch .cancelled {
            throw .cancelled
        } catch {
            throw .transport(error)
        }
        if (200..<300).contains(response.status) { return response }
        let body = (try? await response.collect(limit: 1 << 20)) ?? []
        if response.status == 401 && retryOnUnauthorized && connection.auth != .none {
            await authenticator.invalidate()
            return try await open(path, timeout: timeout, retryOnUnauthorized: false)
        }
        throw .api(KubeStatusError(httpStatus: response.status, body: body))
    }

    private func json(from response: ClientResponse) throws(KubeError) -> JSONValue {
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw .decoding("response body is not JSON: \(error)")
        }
    }

    private func object(from response: ClientResponse) throws(KubeError) -> KubeObject {
        let value = try json(from: response)
        guard value.objectValue != nil else { throw .decoding("expected an object, got \(value.typeName)") }
        return KubeObject(value)
    }
}
