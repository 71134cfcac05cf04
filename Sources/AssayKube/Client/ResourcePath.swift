/// The URL path and query of one API request, built from a ``ResourceKind`` and the object's
/// coordinates: `/api/v1/namespaces/{ns}/services/{name}/status`,
/// `/apis/apps/v1/deployments` (all namespaces), and so on.
public struct ResourcePath: Sendable, Hashable, CustomStringConvertible {
    public var kind: ResourceKind
    /// Ignored for cluster-scoped kinds; `nil` for a namespaced kind means all namespaces.
    public var namespace: String?
    public var name: String?
    /// `status`, `scale`, ...
    public var subresource: String?
    public var query: [(String, String)]

    public init(
        _ kind: ResourceKind, namespace: String? = nil, name: String? = nil, subresource: String? = nil,
        query: [(String, String)] = []
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
        self.query = query
    }

    /// The path and query, percent-encoded, starting with `/`.
    public var description: String {
        var path = kind.group.isEmpty ? "/api/\(kind.version)" : "/apis/\(kind.group)/\(kind.version)"
        if kind.namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(Self.escapeSegment(namespace))"
        }
        path += "/\(kind.plural)"
        if let name { path += "/\(Self.escapeSegment(name))" }
        if let subresource { path += "/\(subresource)" }
        if !query.isEmpty {
            path += "?" + query.map { "\(Self.escapeQuery($0.0))=\(Self.escapeQuery($0.1))" }.joined(separator: "&")
        }
        return path
    }

    public static func == (lhs: ResourcePath, rhs: ResourcePath) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// RFC 3986 unreserved characters stay; everything else is `%XX`. Names are DNS labels in
    /// practice, but a selector value may hold `=`, `,`, `!` or spaces.
    static func escape(_ text: String, keeping extra: Set<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            let unreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved || extra.contains(byte) {
                out.append(byte)
            } else {
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func escapeSegment(_ text: String) -> String { escape(text, keeping: [0x3A, 0x40]) }
    static func escapeQuery(_ text: String) -> String { escape(text, keeping: [0x3A, 0x2F]) }
}
