import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayKube

/// Collects a watcher's events so a test can wait for the one it expects.
final class WatcherEventLog: Sendable {
    private let state = Guarded<(events: [WatcherEvent], observers: [UUID: AsyncStream<[WatcherEvent]>.Continuation])>(
        ([], [:]))

    func append(_ event: WatcherEvent) {
        state.withLock { state in
            state.events.append(event)
            for observer in state.observers.values { observer.yield(state.events) }
        }
    }

    var all: [WatcherEvent] { state.withLock { $0.events } }

    /// Waits until the log satisfies `predicate`, woken by each new event.
    func wait(
        _ what: String, timeout: Duration = .seconds(20), until predicate: @escaping @Sendable ([WatcherEvent]) -> Bool
    ) async throws {
        let id = UUID()
        let (snapshots, continuation) = AsyncStream.makeStream(of: [WatcherEvent].self)
        state.withLock { state in
            state.observers[id] = continuation
            continuation.yield(state.events)
        }
        defer { _ = state.withLock { $0.observers.removeValue(forKey: id) } }
        try await withDeadline(timeout, what) {
            for await snapshot in snapshots where predicate(snapshot) { return }
            throw CancellationError()
        }
    }
}

extension Array where Element == WatcherEvent {
    func count(of predicate: (WatcherEvent) -> Bool) -> Int { filter(predicate).count }

    var syncs: Int { count { $0 == .synced } }

    func has(_ kind: String, _ name: String) -> Bool {
        contains { event in
            switch event {
            case .added(let o): kind == "added" && o.name == name
            case .modified(let o): kind == "modified" && o.name == name
            case .deleted(let o): kind == "deleted" && o.name == name
            case .synced: false
            }
        }
    }
}
