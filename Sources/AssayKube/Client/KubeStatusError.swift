import AssayCore

/// The API server's `Status` object (meta/v1) for a failed request: what went wrong and how to
/// react (`reason` is the machine-readable part, `message` the human one).
public struct KubeStatusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `Status.reason`, with the values the API server documents; anything else is kept verbatim.
    public enum Reason: Sendable, Hashable {
        case unauthorized, forbidden, notFound, alreadyExists, conflict, gone, invalid, serverTimeout, timeout
        case tooManyRequests, badRequest, methodNotAllowed, notAcceptable, requestEntityTooLarge
        case unsupportedMediaType, internalError, expired, serviceUnavailable
        case other(String)

        static let names: [String: Reason] = [
            "Unauthorized": .unauthorized, "Forbidden": .forbidden, "NotFound": .notFound,
            "AlreadyExists": .alreadyExists, "Conflict": .conflict, "Gone": .gone, "Invalid": .invalid,
            "ServerTimeout": .serverTimeout, "Timeout": .timeout, "TooManyRequests": .tooManyRequests,
            "BadRequest": .badRequest, "MethodNotAllowed": .methodNotAllowed, "NotAcceptable": .notAcceptable,
            "RequestEntityTooLarge": .requestEntityTooLarge, "UnsupportedMediaType": .unsupportedMediaType,
            "InternalError": .internalError, "Expired": .expired, "ServiceUnavailable": .serviceUnavailable,
        ]

        public init(_ name: String) { self = Self.names[name] ?? .other(name) }
    }

    /// One `details.causes[]` entry: which field was rejected and why.
    public struct Cause: Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }

    /// HTTP status code (`Status.code`, or the response's when the body has none).
    public var code: Int
    public var reason: Reason?
    public var message: String
    /// `details.name`, `details.group`, `details.kind`: the object the error is about.
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [Cause]
    /// `details.retryAfterSeconds`, set with 429 and 5xx answers.
    public var retryAfterSeconds: Int?

    public init(
        code: Int, reason: Reason?, message: String, name: String? = nil, group: String? = nil,
        kind: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Decodes a `Status` object; `nil` when `value` is not one (some proxies answer with HTML).
    public init?(status value: JSONValue, httpStatus: Int? = nil) {
        guard value["kind"]?.stringValue == "Status" else { return nil }
        let details = value["details"]
        let code = value["code"]?.doubleValue.map { Int($0) }
        self.init(
            code: code ?? httpStatus ?? 500,
            reason: value["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : Reason($0) },
            message: value["message"]?.stringValue ?? "",
            name: details?["name"]?.stringValue,
            group: details?["group"]?.stringValue,
            kind: details?["kind"]?.stringValue,
            causes: (details?["causes"]?.arrayValue ?? []).map {
                Cause(
                    reason: $0["reason"]?.stringValue, message: $0["message"]?.stringValue,
                    field: $0["field"]?.stringValue)
            },
            retryAfterSeconds: details?["retryAfterSeconds"]?.doubleValue.map { Int($0) })
    }

    /// The error for a non-2xx response: its `Status` body when it has one, else a status built
    /// from the HTTP code and the first part of the body.
    public init(httpStatus: Int, body: [UInt8]) {
        if let value = try? JSONParser.parse(body), let status = KubeStatusError(status: value, httpStatus: httpStatus)
        {
            self = status
            return
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        self.init(
            code: httpStatus, reason: Self.reason(forHTTPStatus: httpStatus),
            message: text.isEmpty ? "HTTP \(httpStatus) with no body" : "HTTP \(httpStatus): \(text)")
    }

    /// What the API server would have said for a bare HTTP code.
    static func reason(forHTTPStatus code: Int) -> Reason? {
        switch code {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 410: .gone
        case 413: .requestEntityTooLarge
        case 415: .unsupportedMediaType
        case 422: .invalid
        case 429: .tooManyRequests
        case 500: .internalError
        case 503: .serviceUnavailable
        case 504: .timeout
        default: nil
        }
    }

    public var description: String {
        var text = "Kubernetes API error \(code)"
        if let reason { text += " \(reason.name)" }
        if !message.isEmpty { text += ": \(message)" }
        let fields = causes.compactMap { cause -> String? in
            guard let field = cause.field else { return nil }
            return "\(field): \(cause.message ?? cause.reason ?? "rejected")"
        }
        if !fields.isEmpty { text += " [\(fields.joined(separator: "; "))]" }
        if let hint { text += " (\(hint))" }
        return text
    }

    /// What the user can do about it.
    var hint: String? {
        switch reason {
        case .unauthorized: "check the credentials of the kubeconfig user or the service account token"
        case .forbidden: "grant the service account the missing RBAC permission"
        case .conflict: "the object changed since it was read; read it again and retry"
        case .gone, .expired: "the resourceVersion is too old; list again"
        case .tooManyRequests: "the API server is throttling; retry after a pause"
        default: nil
        }
    }
}

extension KubeStatusError.Reason {
    /// The name as the API spells it.
    public var name: String {
        if case .other(let raw) = self { return raw }
        return Self.names.first { $0.value == self }?.key ?? ""
    }
}
