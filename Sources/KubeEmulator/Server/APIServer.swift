import AssayCore
import Foundation

/// Turns HTTP requests into store operations with the Kubernetes API's URL layout, verbs, content
/// types and status codes. Watches become chunked streams (``WatchStream``).
final class APIServer: Sendable {
    struct Configuration: Sendable {
        /// How often a watch that asked for bookmarks gets one. The real watch cache sends them about
        /// once a minute; the emulator defaults to much sooner so tests see them without waiting.
        var bookmarkInterval: Double = 5
        /// How often an idle watch checks that its client is still connected.
        var idleCheckInterval: Double = 1
        /// `host:port` for `/api`'s serverAddressByClientCIDRs.
        var serverAddress = "127.0.0.1"
        /// Schemas of the built-in kinds for `/openapi/v3` (none: the documents carry no built-in schemas).
        var openAPISchemas: BuiltinSchemas?
        /// Front mode: the real API server that serves `apiextensions.k8s.io` and custom resources.
        var upstream: Upstream?
        /// Requests served at once before a 429 (``InflightLimit``); off by default.
        var inflight = InflightLimit.Limits()
        /// Time each non-watch API request takes, as if storage were behind it (0: none), so that
        /// requests overlap as they do against a real server and an in-flight limit can bite.
        var requestLatency: Duration = .zero

        init() {}
    }

    let store: Store
    let configuration: Configuration
    /// API requests served since start or the last `POST /emulator/requests/reset` (hooks excluded).
    let requests = RequestCounter()
    /// TokenReview, SubjectAccessReview and ServiceAccount tokens.
    let auth: AuthAPI
    let inflight: InflightLimit

    /// Front mode: requests for custom resources go to the real server (``Front``).
    let front: Front?

    init(store: Store, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        auth = AuthAPI(store: store)
        inflight = InflightLimit(configuration.inflight)
        front = configuration.upstream.map { Front(upstream: $0, store: store) }
    }

    static let jsonHeaders = [("Content-Type", "application/json")]

    static func reply(_ status: Int, _ body: JSONValue, warnings: [String] = []) -> EmulatorReply {
        var headers = jsonHeaders
        for warning in warnings { headers.append(("Warning", "299 - \(JSONCodec.string(.string(warning)))")) }
        return .full(status: status, headers: headers, body: JSONCodec.bytes(body))
    }

    static func reply(_ error: APIError) -> EmulatorReply { reply(error.code, error.status) }

    func handle(_ request: EmulatorRequest) -> EmulatorReply {
        if request.path.hasPrefix("/emulator/") { return hook(request) }
        // Watches are long-running: neither limited nor slowed, as in kube-apiserver's filter.
        if !["true", "1"].contains(request.query["watch"] ?? "") {
            let mutating = InflightLimit.isMutating(request.method)
            guard inflight.enter(mutating: mutating) else {
                requests.recordRefusal(agent: RequestCounter.agent(request.headers["user-agent"]))
                return InflightLimit.refusal()
            }
            defer { inflight.leave(mutating: mutating) }
            if configuration.requestLatency > .zero {
                Thread.sleep(forTimeInterval: configuration.requestLatency.inSeconds)
            }
            return serve(request)
        }
        return serve(request)
    }

    private func serve(_ request: EmulatorRequest) -> EmulatorReply {
        // Counted once the handler is done, so a client that has its answer sees its request counted.
        var label = RequestCounter.Label(method: request.method)
        let agent = RequestCounter.agent(request.headers["user-agent"])
        defer {
            label.agent = agent
            requests.record(label)
        }
        do {
            if let front, let reply = front.handle(request, label: &label) { return reply }
            let reply = try route(request, label: &label)
            front?.served(request, reply: reply)
            return reply
        } catch {
            return Self.reply(error)
        }
    }

    /// The test hooks under `/emulator/`, which are not API requests and are not counted.
    private func hook(_ request: EmulatorRequest) -> EmulatorReply {
        switch (request.method, request.path) {
        case ("POST", "/emulator/expire-history"):
            store.expireHistory()
            return Self.reply(
                200, ["status": "Success", "resourceVersion": .string(store.currentResourceVersion.description)])
        case ("POST", "/emulator/drop-watches"):
            let dropped = store.hub.dropAll()
            return Self.reply(200, ["status": "Success", "dropped": .number(Double(dropped))])
        case ("GET", "/emulator/requests"):
            return Self.reply(200, requests.snapshot())
        case ("POST", "/emulator/requests/reset"):
            requests.reset()
            return Self.reply(200, ["status": "Success"])
        default:
            return Self.reply(APIError.pathNotFound())
        }
    }

    // MARK: Routing

    private func route(_ request: EmulatorRequest, label: inout RequestCounter.Label) throws(APIError)
        -> EmulatorReply
    {
        let segments = request.path.split(separator: "/").map(String.init)
        let method = request.method
        switch (method, request.path) {
        case ("GET", "/version"), ("GET", "/version/"): return Self.reply(200, Discovery.version)
        case ("GET", "/healthz"), ("GET", "/livez"), ("GET", "/readyz"):
            return .full(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
        case ("GET", "/api"), ("GET", "/api/"):
            return Self.reply(200, Discovery.coreVersions(serverAddress: configuration.serverAddress))
        case ("GET", "/apis"), ("GET", "/apis/"): return Self.reply(200, Discovery.groupList(store.registry))
        case ("GET", "/openapi/v3"), ("GET", "/openapi/v3/"): return Self.reply(200, OpenAPI.index(store.registry.all))
        default: break
        }
        if method == "GET", segments.count >= 3, segments[0] == "openapi", segments[1] == "v3",
            let document = OpenAPI.groupVersion(
                store.registry.all, path: segments.dropFirst(2).joined(separator: "/"),
                builtins: configuration.openAPISchemas)
        {
            return Self.reply(200, document)
        }
        if let reply = try auth.route(request, segments: segments, label: &label) { return reply }
        guard let first = segments.first else { throw .pathNotFound() }
        let group: String
        let version: String
        var rest: ArraySlice<String>
        if first == "api", segments.count >= 2 {
            group = ""
            version = segments[1]
            rest = segments[2...]
        } else if first == "apis", segments.count >= 2 {
            group = segments[1]
            if segments.count == 2 {
                guard method == "GET", let doc = Discovery.groupDocument(store.registry, name: group) else {
                    throw .pathNotFound()
                }
                return Self.reply(200, doc)
            }
            version = segments[2]
            rest = segments[3...]
        } else {
            throw .pathNotFound()
        }
        if rest.isEmpty {
            guard method == "GET", let list = Discovery.resourceList(store.registry, group: group, version: version)
            else { throw .pathNotFound() }
            return Self.reply(200, list)
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3,
            let candidate = store.resolve(group: group, version: version, resource: rest[rest.startIndex + 2]),
            candidate.namespaced
        {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        let resource = rest[rest.startIndex]
        guard let type = store.resolve(group: group, version: version, resource: resource) else {
            throw .pathNotFound()
        }
        let name = rest.count > 1 ? rest[rest.startIndex + 1] : nil
        let subresourceName = rest.count > 2 ? rest[rest.startIndex + 2] : nil
        label = RequestCounter.Label(
            verb: RequestCounter.verb(
                method: method, named: name != nil, watch: ["true", "1"].contains(request.query["watch"] ?? "")),
            resource: type.groupResource.display)
        guard rest.count <= 3 else { throw .pathNotFound() }
        var subresource: Subresource?
        if let subresourceName {
            guard let known = Subresource(rawValue: subresourceName),
                (known == .status && type.hasStatus) || (known == .scale && type.scale != nil)
                    || (known == .status && type.groupResource == Store.State.namespaces)
            else { throw .pathNotFound() }
            subresource = known
            label.resource += "/\(known.rawValue)"
        }
        if type.namespaced, namespace == nil, name != nil { throw .pathNotFound() }
        let context = RequestContext(
            type: type, namespace: namespace, name: name, subresource: subresource, request: request)
        switch (method, name) {
        case ("GET", nil):
            if ["true", "1"].contains(request.query["watch"] ?? "") { return try watch(context) }
            return try list(context)
        case ("GET", .some): return try get(context)
        case ("POST", nil): return try create(context)
        case ("PUT", .some): return try update(context)
        case ("PATCH", .some): return try patch(context)
        case ("DELETE", .some): return try delete(context)
        case ("DELETE", nil): return try deleteCollection(context)
        default:
            throw .methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    struct RequestContext: Sendable {
        var type: ResourceType
        var namespace: String?
        var name: String?
        var subresource: Subresource?
        var request: EmulatorRequest

        var query: [String: String] { request.query }
        var wantsTable: Bool { (request.header("accept") ?? "").contains("as=Table") }
        var include: TableConverter.IncludeObject {
            TableConverter.IncludeObject(rawValue: query["includeObject"] ?? "") ?? .metadata
        }

        var writeOptions: WriteOptions {
            var options = WriteOptions()
            options.dryRun = query["dryRun"] == "All"
            options.fieldManager = query["fieldManager"] ?? ""
            if options.fieldManager.isEmpty,
                !(request.header("content-type") ?? "").hasPrefix("application/apply-patch")
            {
                options.fieldManager = ManagedFields.manager(userAgent: request.header("user-agent"))
            }
            options.force = query["force"] == "true"
            if let validation = query["fieldValidation"].flatMap(WriteOptions.FieldValidation.init(rawValue:)) {
                options.fieldValidation = validation
            }
            return options
        }

        func body() throws(APIError) -> JSONValue {
            let contentType = request.header("content-type") ?? ""
            if contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
                return try ProtobufDecoder.decode(request.body)
            }
            if contentType.contains("cbor") { throw .unsupportedMediaType(contentType) }
            do {
                return try JSONCodec.parse(request.body)
            } catch {
                throw .badRequest("the request body is not valid JSON: \(error)")
            }
        }
    }

    /// Objects leave in the version the client asked for (custom resources store one version).
    func present(_ object: JSONValue, _ type: ResourceType) -> JSONValue {
        guard type.isCustom, object["apiVersion"]?.stringValue != type.apiVersion else { return object }
        var object = object
        object.set(["apiVersion"], .string(type.apiVersion))
        return object
    }
}
