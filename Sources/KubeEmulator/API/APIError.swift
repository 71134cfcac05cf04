import AssayCore

/// An error the emulated API server answers with, rendered as a `meta/v1` `Status` object.
struct APIError: Error, Sendable, Equatable {
    /// One entry of `details.causes`.
    struct Cause: Sendable, Equatable {
        var reason: String
        var message: String
        var field: String

        var json: JSONValue { ["reason": .string(reason), "message": .string(message), "field": .string(field)] }
    }

    var code: Int
    var reason: String
    var message: String
    var name: String = ""
    var group: String = ""
    var kind: String = ""
    var causes: [Cause] = []
    var retryAfterSeconds: Int? = nil

    /// The `Status` body a real API server sends for this failure.
    var status: JSONValue {
        var details = JSONObject()
        if !name.isEmpty { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        if !kind.isEmpty { details["kind"] = .string(kind) }
        if !causes.isEmpty { details["causes"] = .array(causes.map(\.json)) }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .number(Double(retryAfterSeconds)) }
        var object = JSONObject([
            ("kind", "Status"), ("apiVersion", "v1"), ("metadata", .object(JSONObject())),
            ("status", "Failure"), ("message", .string(message)), ("reason", .string(reason)),
        ])
        if !details.isEmpty { object["details"] = .object(details) }
        object["code"] = .number(Double(code))
        return .object(object)
    }

    static func notFound(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(resource.display) \"\(name)\" not found", name: name,
            group: resource.group, kind: resource.resource)
    }

    static func alreadyExists(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(resource.display) \"\(name)\" already exists", name: name,
            group: resource.group, kind: resource.resource)
    }

    static func conflict(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.display) \"\(name)\": the object has been modified; "
                + "please apply your changes to the latest version and try again",
            name: name, group: resource.group, kind: resource.resource)
    }

    static func conflict(_ resource: GroupResource, _ name: String, message: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.display) \"\(name)\": \(message)", name: name,
            group: resource.group, kind: resource.resource)
    }

    /// 422: the message lists the causes the way the API server's field error aggregate does.
    static func invalid(kind: String, group: String, name: String, causes: [Cause]) -> APIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        // The server's aggregate error lists each distinct message once.
        var parts: [String] = []
        for cause in causes {
            let part = cause.field.isEmpty ? cause.message : "\(cause.field): \(cause.message)"
            if !parts.contains(part) { parts.append(part) }
        }
        let list = parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
        return APIError(
            code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(list)", name: name,
            group: group, kind: kind, causes: causes)
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func gone(_ message: String) -> APIError { APIError(code: 410, reason: "Expired", message: message) }

    static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    }

    static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }
}

/// A resource named by group and plural, the way errors and storage name it.
struct GroupResource: Sendable, Hashable {
    var group: String
    var resource: String

    /// `deployments.apps`, or `configmaps` for the core group.
    var display: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
