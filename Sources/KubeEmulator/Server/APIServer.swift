import AssayCore
import Foundation
import Synchronization

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

        init() {}
    }

    let store: Store
    let configuration: Configuration
    /// API requests served since start or the last `POST /emulator/requests/reset` (hooks excluded).
    let requests = RequestCounter()
    /// TokenReview, SubjectAccessReview and ServiceAccount tokens.
    let auth: AuthAPI

    /// Front mode: requests for custom resources go to the real server (``Front``).
    let front: Front?

    init(store: Store, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        auth = AuthAPI(store: store)
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
    private func present(_ object: JSONValue, _ type: ResourceType) -> JSONValue {
        guard type.isCustom, object["apiVersion"]?.stringValue != type.apiVersion else { return object }
        var object = object
        object.set(["apiVersion"], .string(type.apiVersion))
        return object
    }

    // MARK: Reads

    private func selectors(_ context: RequestContext) throws(APIError) -> (LabelSelector, FieldSelector) {
        let labels = try context.query["labelSelector"].map { (text) throws(APIError) in
            try LabelSelector(parsing: text)
        }
        let fields = try context.query["fieldSelector"].map { (text) throws(APIError) in
            try FieldSelector(parsing: text)
        }
        return (labels ?? .everything, fields ?? .everything)
    }

    private func list(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let (labels, fields) = try selectors(context)
        let type = context.type
        var (items, resourceVersion) = store.list(
            type, namespace: type.namespaced ? context.namespace : nil, labels: labels, fields: fields)
        items = items.map { present($0, type) }
        var metadata = JSONObject([("resourceVersion", .string(resourceVersion.description))])
        if let token = context.query["continue"], !token.isEmpty {
            let from = try ContinueToken(decoding: token)
            items = items.filter { Self.listKey($0) >= from.start }
        }
        if let limit = context.query["limit"].flatMap(Int.init), limit > 0, items.count > limit {
            metadata["continue"] = .string(
                ContinueToken(
                    resourceVersion: Int(resourceVersion.value), start: Self.listKey(items[limit - 1]) + "\u{0}"
                ).encoded)
            metadata["remainingItemCount"] = .number(Double(items.count - limit))
            items = Array(items[..<limit])
        }
        if context.wantsTable {
            var table = TableConverter.table(
                type, objects: items, resourceVersion: resourceVersion.description, include: context.include)
            table.set(["metadata"], .object(metadata))
            return Self.reply(200, table)
        }
        return Self.reply(
            200,
            .object(
                JSONObject([
                    ("kind", .string(type.listKind)), ("apiVersion", .string(type.apiVersion)),
                    ("metadata", .object(metadata)), ("items", .array(items)),
                ])))
    }

    /// Where an object sorts in a list: `namespace/name`, as the storage keys sort.
    static func listKey(_ object: JSONValue) -> String {
        (object.at(["metadata", "namespace"])?.stringValue ?? "") + "/"
            + (object.at(["metadata", "name"])?.stringValue ?? "")
    }

    private func get(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let object = present(
            try store.get(context.type, namespace: context.namespace ?? "", name: context.name!), context.type)
        if context.subresource == .scale { return Self.reply(200, try Scale.object(from: object, context.type)) }
        if context.wantsTable {
            return Self.reply(
                200,
                TableConverter.table(
                    context.type, objects: [object],
                    resourceVersion: object.at(["metadata", "resourceVersion"])?.stringValue,
                    include: context.include))
        }
        return Self.reply(200, object)
    }

    private func watch(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let (labels, fields) = try selectors(context)
        let filter = WatchFilter(
            resource: context.type.groupResource, namespace: context.type.namespaced ? context.namespace : nil,
            labels: labels, fields: fields)
        let from = try ResourceVersion.parse(context.query["resourceVersion"])
        // A version older than the kept history opens the stream with one ERROR event carrying a 410
        // Status (reason Expired), as the real server's watch cache answers.
        let opened: (subscription: WatchSubscription, replay: [(type: String, object: JSONValue)])
        do {
            opened = try store.watch(filter, from: from)
        } catch  where error.code == 410 {
            let event = JSONCodec.bytes(["type": "ERROR", "object": error.status]) + [10]
            let sent = Mutex(false)
            return .stream(
                status: 200, headers: Self.jsonHeaders,
                next: {
                    sent.withLock { done in
                        defer { done = true }
                        return done ? .end : .data(event)
                    }
                })
        }
        let stream = WatchStream(
            store: store, subscription: opened.subscription, replay: opened.replay, type: context.type,
            table: context.wantsTable ? context.include : nil,
            bookmarks: context.query["allowWatchBookmarks"] == "true",
            sendInitialEventsEnd: context.query["sendInitialEvents"] == "true",
            timeoutSeconds: context.query["timeoutSeconds"].flatMap(Double.init),
            configuration: configuration)
        return .stream(status: 200, headers: Self.jsonHeaders, next: { stream.next() })
    }

    // MARK: Writes

    private func create(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let body = try context.body()
        try checkKind(body, context.type)
        let result = try store.create(
            context.type, namespace: context.namespace ?? "", object: body, options: context.writeOptions)
        return Self.reply(201, present(result.object, context.type), warnings: result.warnings)
    }

    private func checkKind(_ body: JSONValue, _ type: ResourceType) throws(APIError) {
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != type.kind {
            throw .badRequest(
                "the kind \"\(kind)\" of the body does not match the resource \(type.plural) (\(type.kind))")
        }
    }

    private func update(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let body = try context.body()
        let type = context.type
        if context.subresource == .scale {
            let result = try store.write(
                type, namespace: context.namespace ?? "", name: context.name!, options: context.writeOptions
            ) { (current) throws(APIError) -> JSONValue in
                try Scale.apply(body, to: current!, type)
            }
            return Self.reply(200, try Scale.object(from: result.object, type), warnings: result.warnings)
        }
        if context.subresource == nil { try checkKind(body, type) }
        if type.isCustom, context.subresource == nil,
            (body.at(["metadata", "resourceVersion"])?.stringValue ?? "").isEmpty
        {
            // Custom resources do not allow unconditional updates.
            // Worded by the registry, which names the resource rather than the kind.
            throw .invalid(
                kind: type.plural, group: type.group, name: context.name!,
                causes: [
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: 0: must be specified for an update",
                        field: "metadata.resourceVersion")
                ])
        }
        let result = try store.write(
            type, namespace: context.namespace ?? "", name: context.name!, subresource: context.subresource,
            options: context.writeOptions, createIfMissing: type.groupResource.resource == "leases"
        ) { _ in body }
        return Self.reply(result.created ? 201 : 200, present(result.object, type), warnings: result.warnings)
    }

    private func patch(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let contentType =
            (context.request.header("content-type") ?? "").split(separator: ";").first.map {
                String($0).trimmingSpaces.lowercased()
            } ?? ""
        let type = context.type
        let isApply = contentType == "application/apply-patch+yaml"
        let patch = isApply ? try applyBody(context) : try context.body()
        var options = context.writeOptions
        options.isApply = isApply && context.subresource != .scale
        if isApply {
            guard !options.fieldManager.isEmpty else {
                throw .invalid(
                    kind: "PatchOptions", group: "meta.k8s.io", name: "",
                    causes: [
                        .init(
                            reason: "FieldValueRequired", message: "Required value: is required for apply patch",
                            field: "fieldManager")
                    ])
            }
        }
        switch contentType {
        case "application/merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml": break
        case "application/strategic-merge-patch+json":
            // Custom resources have no Go struct tags to merge lists by key, so the API server refuses
            // strategic merge for them.
            if type.isCustom { throw .unsupportedMediaType(contentType) }
        default: throw .unsupportedMediaType(contentType)
        }
        let transform: (JSONValue?) throws(APIError) -> JSONValue = { (current) throws(APIError) -> JSONValue in
            var target = current
            if context.subresource == .scale, let live = current { target = try Scale.object(from: live, type) }
            var patched: JSONValue
            switch contentType {
            case "application/json-patch+json":
                guard let target else { throw .notFound(type.groupResource, context.name!) }
                patched = try JSONPatch.apply(patch, to: target)
            case "application/apply-patch+yaml":
                if context.subresource == .scale {
                    patched = MergePatch.apply(patch, to: target)
                } else {
                    patched = try ServerSideApply.apply(
                        patch, to: target, manager: options.fieldManager, force: options.force, type: type,
                        subresource: context.subresource)
                }
            case "application/strategic-merge-patch+json":
                guard let target else { throw .notFound(type.groupResource, context.name!) }
                patched = try StrategicMergePatch.apply(patch, to: target)
            default:
                guard let target else { throw .notFound(type.groupResource, context.name!) }
                patched = MergePatch.apply(patch, to: target)
            }
            if context.subresource == .scale, let live = current { return try Scale.apply(patched, to: live, type) }
            return patched
        }
        let result = try store.write(
            type, namespace: context.namespace ?? "", name: context.name!, subresource: context.subresource,
            options: options, createIfMissing: isApply && context.subresource == nil, transform: transform)
        if context.subresource == .scale {
            return Self.reply(200, try Scale.object(from: result.object, type), warnings: result.warnings)
        }
        return Self.reply(result.created ? 201 : 200, present(result.object, type), warnings: result.warnings)
    }

    /// An apply configuration is YAML (of which JSON is a subset); kubectl sends JSON.
    private func applyBody(_ context: RequestContext) throws(APIError) -> JSONValue {
        if let json = try? JSONCodec.parse(context.request.body) { return json }
        do {
            return try YAMLLoader.load(String(decoding: context.request.body, as: UTF8.self))
        } catch {
            throw .badRequest("error decoding YAML: \(error)")
        }
    }

    private func deleteOptions(_ context: RequestContext) throws(APIError) -> DeletionOptions {
        var options = DeletionOptions()
        let body = context.request.body.isEmpty ? JSONValue.object(JSONObject()) : try context.body()
        let policy = body["propagationPolicy"]?.stringValue ?? context.query["propagationPolicy"]
        if let policy {
            guard let parsed = DeletionOptions.Propagation(rawValue: policy) else {
                throw .badRequest("unsupported propagationPolicy \"\(policy)\"")
            }
            options.propagation = parsed
        } else if body["orphanDependents"]?.boolValue == true || context.query["orphanDependents"] == "true" {
            options.propagation = .orphan
        }
        options.preconditionUID = body.at(["preconditions", "uid"])?.stringValue
        options.preconditionResourceVersion = body.at(["preconditions", "resourceVersion"])?.stringValue
        options.dryRun =
            context.query["dryRun"] == "All"
            || (body["dryRun"]?.arrayValue ?? []).contains(.string("All"))
        return options
    }

    private func delete(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        guard context.subresource == nil else { throw .methodNotAllowed("subresources cannot be deleted") }
        let options = try deleteOptions(context)
        let object = try store.delete(
            context.type, namespace: context.namespace ?? "", name: context.name!, options: options)
        let pending =
            object.at(["metadata", "deletionTimestamp"]) != nil && object.at(["metadata", "finalizers"]) != nil
        if !pending, context.type.isCustom {
            // A custom resource deleted at once is answered with a Status, as the real server does.
            return Self.reply(
                200,
                [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                    "details": [
                        "name": .string(context.name!), "group": .string(context.type.group),
                        "kind": .string(context.type.plural), "uid": object.at(["metadata", "uid"]) ?? .null,
                    ],
                ])
        }
        return Self.reply(pending && options.propagation == .foreground ? 202 : 200, present(object, context.type))
    }

    private func deleteCollection(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let (labels, fields) = try selectors(context)
        let options = try deleteOptions(context)
        let type = context.type
        let (items, _) = store.list(
            type, namespace: type.namespaced ? context.namespace : nil, labels: labels, fields: fields)
        var deleted: [JSONValue] = []
        for item in items {
            let name = item.at(["metadata", "name"])?.stringValue ?? ""
            let namespace = item.at(["metadata", "namespace"])?.stringValue ?? ""
            if let object = try? store.delete(type, namespace: namespace, name: name, options: options) {
                deleted.append(present(object, type))
            }
        }
        return Self.reply(
            200,
            .object(
                JSONObject([
                    ("kind", .string(type.listKind)), ("apiVersion", .string(type.apiVersion)),
                    ("metadata", .object(JSONObject())), ("items", .array(deleted)),
                ])))
    }
}
