import AssayCore
import Foundation

/// get, list (with selectors, pagination and Tables) and watch.
extension APIServer {
    // MARK: Reads

    func selectors(_ context: RequestContext) throws(APIError) -> (LabelSelector, FieldSelector) {
        let labels = try context.query["labelSelector"].map { (text) throws(APIError) in
            try LabelSelector(parsing: text)
        }
        let fields = try context.query["fieldSelector"].map { (text) throws(APIError) in
            try FieldSelector(parsing: text)
        }
        return (labels ?? .everything, fields ?? .everything)
    }

    func list(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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

    func get(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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

    func watch(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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
            let sent = Guarded(false)
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
}
