import AssayCore
import Dispatch

/// One change to one object, as the store's history keeps it.
struct ChangeEvent: Sendable {
    enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    var kind: Kind
    var resource: GroupResource
    var namespace: String
    /// The object after the change (for deletions: the last state).
    var object: JSONValue
    /// The object before the change, so watches with selectors can turn transitions into ADDED/DELETED.
    var previous: JSONValue?
    var resourceVersion: ResourceVersion
}

/// What a watch connection sends next.
enum WatchMessage: Sendable {
    case event(type: String, object: JSONValue)
    /// The watch ended: history expired, the test hook dropped it, or its timeout passed.
    case closed
}

/// The filter one watch applies to the change stream.
struct WatchFilter: Sendable {
    var resource: GroupResource
    var namespace: String?
    var labels: LabelSelector
    var fields: FieldSelector

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, (object.at(["metadata", "namespace"])?.stringValue ?? "") != namespace { return false }
        return labels.matches(object) && fields.matches(object)
    }

    /// The event this watch sees for a change, or nil when the object is outside it before and after.
    func translate(_ change: ChangeEvent) -> (type: String, object: JSONValue)? {
        guard change.resource == resource else { return nil }
        let now = matches(change.object)
        let before = change.previous.map(matches) ?? false
        switch change.kind {
        case .added: return now ? ("ADDED", change.object) : nil
        case .deleted: return now ? ("DELETED", change.object) : nil
        case .modified:
            if now && before { return ("MODIFIED", change.object) }
            if now { return ("ADDED", change.object) }
            if before { return ("DELETED", change.object) }
            return nil
        }
    }
}

/// A queue of messages for one watch connection, filled by the store and drained by the connection.
final class WatchSubscription: Sendable {
    let id: UInt64
    let filter: WatchFilter
    private let queue = Guarded<(messages: [WatchMessage], closed: Bool)>(([], false))
    private let signal = DispatchSemaphore(value: 0)

    init(id: UInt64, filter: WatchFilter) {
        self.id = id
        self.filter = filter
    }

    func enqueue(_ message: WatchMessage) {
        let accepted = queue.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.messages.append(message)
            if case .closed = message { state.closed = true }
            return true
        }
        if accepted { signal.signal() }
    }

    func deliver(_ change: ChangeEvent) {
        if let (type, object) = filter.translate(change) { enqueue(.event(type: type, object: object)) }
    }

    /// The next message, or nil when `timeoutSeconds` passes first.
    func next(timeoutSeconds: Double) -> WatchMessage? {
        guard signal.wait(timeout: .now() + timeoutSeconds) == .success else { return nil }
        return queue.withLock { state in state.messages.isEmpty ? nil : state.messages.removeFirst() }
    }
}

/// Fans committed changes out to open watches.
final class WatchHub: Sendable {
    private let state = Guarded<(nextID: UInt64, subscriptions: [UInt64: WatchSubscription])>((1, [:]))

    func subscribe(_ filter: WatchFilter) -> WatchSubscription {
        state.withLock { state in
            let subscription = WatchSubscription(id: state.nextID, filter: filter)
            state.nextID += 1
            state.subscriptions[subscription.id] = subscription
            return subscription
        }
    }

    func unsubscribe(_ subscription: WatchSubscription) {
        _ = state.withLock { state in state.subscriptions.removeValue(forKey: subscription.id) }
    }

    func publish(_ change: ChangeEvent) {
        let subscribers = state.withLock { state in Array(state.subscriptions.values) }
        for subscriber in subscribers { subscriber.deliver(change) }
    }

    var count: Int { state.withLock { $0.subscriptions.count } }

    /// Ends every open watch (the test hook that simulates dropped connections). Returns how many.
    @discardableResult
    func dropAll() -> Int {
        let dropped = state.withLock { state -> [WatchSubscription] in
            defer { state.subscriptions.removeAll() }
            return Array(state.subscriptions.values)
        }
        for subscription in dropped { subscription.enqueue(.closed) }
        return dropped.count
    }
}
