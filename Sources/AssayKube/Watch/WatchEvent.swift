import AssayCore

/// One event of a watch stream, as the API server sends it (one JSON object per line:
/// `{"type": "ADDED", "object": {...}}`).
public enum WatchEvent: Sendable, Hashable {
    case added(KubeObject)
    case modified(KubeObject)
    case deleted(KubeObject)
    /// Only the resourceVersion moves; the object carries nothing else of use.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a `Status` (410 Gone when the resourceVersion is too old).
    case error(KubeStatusError)

    /// Decodes one line of a watch stream.
    public init(line: [UInt8]) throws(KubeError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw .decoding("watch event is not JSON: \(error)")
        }
        try self.init(json: value)
    }

    public init(json value: JSONValue) throws(KubeError) {
        guard let type = value["type"]?.stringValue, let object = value["object"], object.objectValue != nil else {
            throw .decoding("watch event without type or object")
        }
        switch type {
        case "ADDED": self = .added(KubeObject(object))
        case "MODIFIED": self = .modified(KubeObject(object))
        case "DELETED": self = .deleted(KubeObject(object))
        case "BOOKMARK":
            guard let rv = KubeObject(object).resourceVersion else {
                throw .decoding("BOOKMARK event without metadata.resourceVersion")
            }
            self = .bookmark(resourceVersion: rv)
        case "ERROR":
            self = .error(
                KubeStatusError(status: object, httpStatus: nil)
                    ?? KubeStatusError(code: 500, reason: .internalError, message: "watch ERROR event without a Status")
            )
        default:
            throw .decoding("unknown watch event type \(type)")
        }
    }
}

/// What a ``Watcher`` tells its consumer: the objects as they change, and when a (re)list has
/// brought the local view up to date.
public enum WatcherEvent: Sendable, Hashable {
    case added(KubeObject)
    case modified(KubeObject)
    /// The object was deleted, or vanished while the watch was interrupted (seen at a relist).
    case deleted(KubeObject)
    /// A list completed: every object that exists has been reported since this point.
    case synced
}
