import Synchronization

/// Whether the work done for one request is still wanted, and until when.
///
/// The HTTP server gives every request one, with the request's deadline, and cancels it (first
/// reason wins) when the client goes away, the deadline passes or shutdown's grace period ends.
/// CPU-bound work reads it at the checkpoints of its ``WorkBudget`` (a relaxed atomic load), so a
/// computation that no one waits for stops within a few thousand steps; async work is cancelled
/// through its task as usual.
public final class WorkCancellation: Sendable {
    public enum Reason: UInt8, Sendable, Equatable, CustomStringConvertible {
        /// The client closed or reset its connection before the answer was ready.
        case clientGone = 1
        /// The request's deadline passed.
        case deadline = 2
        /// The server's shutdown grace period ended.
        case shutdown = 3

        public var description: String {
            switch self {
            case .clientGone: "the client closed the connection"
            case .deadline: "the request's deadline passed"
            case .shutdown: "the server is shutting down"
            }
        }
    }

    /// When the request must be answered by; `nil` for work without one.
    public let deadline: ContinuousClock.Instant?
    private let state = Atomic<UInt8>(0)

    public init(deadline: ContinuousClock.Instant? = nil) {
        self.deadline = deadline
    }

    /// Why the work was cancelled, `nil` while it is still wanted.
    public var reason: Reason? { Reason(rawValue: state.load(ordering: .relaxed)) }

    public var isCancelled: Bool { state.load(ordering: .relaxed) != 0 }

    /// Cancels for `reason` unless already cancelled; returns whether this call did it.
    @discardableResult
    public func cancel(_ reason: Reason) -> Bool {
        state.compareExchange(expected: 0, desired: reason.rawValue, ordering: .relaxed).exchanged
    }
}
