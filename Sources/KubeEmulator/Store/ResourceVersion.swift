/// The cluster-wide resourceVersion: one counter shared by every object, like etcd's revision.
///
/// Clients must treat it as opaque; the emulator writes it as a decimal string and compares it as a
/// number, which is what the watch cache does with etcd revisions.
struct ResourceVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    var value: UInt64

    init(_ value: UInt64) { self.value = value }

    /// Parses a client-supplied version; an empty string means "unset".
    static func parse(_ text: String?) throws(APIError) -> ResourceVersion? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = UInt64(text) else {
            throw APIError(code: 400, reason: "BadRequest", message: "invalid resource version \"\(text)\"")
        }
        return ResourceVersion(value)
    }

    var description: String { String(value) }
    var next: ResourceVersion { ResourceVersion(value + 1) }

    static func < (lhs: ResourceVersion, rhs: ResourceVersion) -> Bool { lhs.value < rhs.value }
}
