import AssayCore

/// Query options of a list or watch.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size; `nil` asks for everything at once.
    public var limit: Int?
    /// The `metadata.continue` token of the previous page.
    public var continueToken: String?
    /// `nil` (or empty) reads the latest state consistently from etcd.
    public var resourceVersion: String?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { query.append(("continue", continueToken)) }
        if let resourceVersion, !resourceVersion.isEmpty { query.append(("resourceVersion", resourceVersion)) }
        return query
    }
}

/// One page of a list: the objects, the collection's resourceVersion (where a watch starts) and
/// the token for the next page.
public struct KubeObjectList: Sendable, Hashable {
    public var items: [KubeObject]
    public var resourceVersion: String
    /// `nil` on the last page.
    public var continueToken: String?

    public init(items: [KubeObject], resourceVersion: String, continueToken: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

/// How a delete proceeds.
public struct DeleteOptions: Sendable, Hashable {
    public enum PropagationPolicy: String, Sendable, Hashable {
        /// Dependents are deleted before the owner disappears.
        case foreground = "Foreground"
        /// The owner disappears now; the garbage collector deletes dependents afterwards.
        case background = "Background"
        /// Dependents are kept and lose their owner reference.
        case orphan = "Orphan"
    }

    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this UID (not a re-created namesake).
    public var preconditionUID: String?
    /// Delete only if nobody changed the object since it was read.
    public var preconditionResourceVersion: String?
    public var gracePeriodSeconds: Int?

    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, gracePeriodSeconds: Int? = nil
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    var body: JSONValue {
        var object = JSONObject([("apiVersion", "v1"), ("kind", "DeleteOptions")])
        if let propagationPolicy { object["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { object["gracePeriodSeconds"] = .number(Double(gracePeriodSeconds)) }
        var preconditions = JSONObject()
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { object["preconditions"] = .object(preconditions) }
        return .object(object)
    }
}
