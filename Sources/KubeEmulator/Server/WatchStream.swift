import AssayCore
import Dispatch

/// One open watch: the replayed events first, then live changes, bookmarks when asked for, and the
/// end of the stream on timeout or when the watch is dropped. Events are newline-delimited JSON
/// `{"type": ..., "object": ...}`; with a Table Accept header the objects are one-row Tables.
final class WatchStream: Sendable {
    private struct State {
        var replay: [(type: String, object: JSONValue)]
        var sentColumns = false
        var lastSent: DispatchTime = .now()
        var initialEndPending: Bool
        var finished = false
    }

    private let store: Store
    private let subscription: WatchSubscription
    private let type: ResourceType
    private let table: TableConverter.IncludeObject?
    private let bookmarks: Bool
    private let deadline: DispatchTime?
    private let configuration: APIServer.Configuration
    private let state: Guarded<State>

    init(
        store: Store, subscription: WatchSubscription, replay: [(type: String, object: JSONValue)], type: ResourceType,
        table: TableConverter.IncludeObject?, bookmarks: Bool, sendInitialEventsEnd: Bool, timeoutSeconds: Double?,
        configuration: APIServer.Configuration
    ) {
        self.store = store
        self.subscription = subscription
        self.type = type
        self.table = table
        self.bookmarks = bookmarks
        self.configuration = configuration
        deadline = timeoutSeconds.map { DispatchTime.now() + $0 }
        state = Guarded(State(replay: replay, initialEndPending: sendInitialEventsEnd && bookmarks))
    }

    func next() -> StreamChunk {
        if let replayed = state.withLock({ $0.replay.isEmpty ? nil : $0.replay.removeFirst() }) {
            return .data(encode(type: replayed.type, object: replayed.object))
        }
        if state.withLock({ $0.initialEndPending }) {
            state.withLock { $0.initialEndPending = false }
            return .data(bookmark(store.currentResourceVersion, initialEventsEnd: true))
        }
        if state.withLock({ $0.finished }) { return .end }
        var wait = configuration.idleCheckInterval
        if let deadline {
            let remaining =
                Double(Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)) / 1e9
            if remaining <= 0 { return finish() }
            wait = min(wait, remaining)
        }
        switch subscription.next(timeoutSeconds: wait) {
        case .event(let type, let object):
            return .data(encode(type: type, object: object))
        case .closed:
            return finish()
        case nil:
            if bookmarks {
                let elapsed =
                    Double(DispatchTime.now().uptimeNanoseconds - state.withLock { $0.lastSent }.uptimeNanoseconds)
                    / 1e9
                if elapsed >= configuration.bookmarkInterval {
                    // Read the version before looking at the queue: every event up to it is already queued,
                    // so a bookmark never overtakes an event it covers.
                    let version = store.currentResourceVersion
                    if case .event(let type, let object) = subscription.next(timeoutSeconds: 0) {
                        return .data(encode(type: type, object: object))
                    }
                    return .data(bookmark(version, initialEventsEnd: false))
                }
            }
            return .idle
        }
    }

    private func finish() -> StreamChunk {
        state.withLock { $0.finished = true }
        store.hub.unsubscribe(subscription)
        return .end
    }

    private func bookmark(_ version: ResourceVersion, initialEventsEnd: Bool) -> [UInt8] {
        var metadata = JSONObject([("resourceVersion", .string(version.description))])
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: JSONValue = .object(
            JSONObject([
                ("kind", .string(type.kind)), ("apiVersion", .string(type.apiVersion)), ("metadata", .object(metadata)),
            ]))
        return encode(type: "BOOKMARK", object: object)
    }

    private func encode(type eventType: String, object: JSONValue) -> [UInt8] {
        state.withLock { $0.lastSent = .now() }
        var object = object
        if type.isCustom, eventType != "BOOKMARK" { object.set(["apiVersion"], .string(type.apiVersion)) }
        if let table, eventType != "BOOKMARK" {
            let withColumns = state.withLock { state -> Bool in
                defer { state.sentColumns = true }
                return !state.sentColumns
            }
            object = TableConverter.table(
                type, objects: [object], resourceVersion: object.at(["metadata", "resourceVersion"])?.stringValue,
                include: table, withColumns: withColumns)
        }
        let event: JSONValue = .object(JSONObject([("type", .string(eventType)), ("object", object)]))
        return JSONCodec.bytes(event) + [10]
    }
}
