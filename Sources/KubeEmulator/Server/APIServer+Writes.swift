import AssayCore
import Foundation

/// create, update, patch (merge, JSON, strategic, apply), delete and deletecollection.
extension APIServer {
    // MARK: Writes

    func create(_ context: RequestContext) throws(APIError) -> EmulatorReply {
        let body = try context.body()
        try checkKind(body, context.type)
        let result = try store.create(
            context.type, namespace: context.namespace ?? "", object: body, options: context.writeOptions)
        return Self.reply(201, present(result.object, context.type), warnings: result.warnings)
    }

    func checkKind(_ body: JSONValue, _ type: ResourceType) throws(APIError) {
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != type.kind {
            throw .badRequest(
                "the kind \"\(kind)\" of the body does not match the resource \(type.plural) (\(type.kind))")
        }
    }

    func update(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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

    func patch(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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
    func applyBody(_ context: RequestContext) throws(APIError) -> JSONValue {
        if let json = try? JSONCodec.parse(context.request.body) { return json }
        do {
            return try YAMLLoader.load(String(decoding: context.request.body, as: UTF8.self))
        } catch {
            throw .badRequest("error decoding YAML: \(error)")
        }
    }

    func deleteOptions(_ context: RequestContext) throws(APIError) -> DeletionOptions {
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

    func delete(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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

    func deleteCollection(_ context: RequestContext) throws(APIError) -> EmulatorReply {
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
