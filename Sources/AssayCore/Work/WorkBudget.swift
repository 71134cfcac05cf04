/// A bound on one computation's CPU-bound work: a number of steps (each algorithm says what a
/// step is) and, optionally, the ``WorkCancellation`` of the request it serves, read every
/// ``checkInterval`` steps.
///
/// ```swift
/// var budget = WorkBudget(steps: 1_000_000, cancellation: request.cancellation)
/// for item in items {
///     guard budget.spend() else { return .undecided(budget.exhaustion!) }
///     ...
/// }
/// ```
///
/// Once exhausted it stays exhausted, and ``exhaustion`` says why: the step limit (the input asks
/// for too much work: the caller should fail with a reason) or a cancellation (no one wants the
/// answer any more).
public struct WorkBudget: Sendable {
    public enum Exhaustion: Error, Sendable, Equatable, CustomStringConvertible {
        /// The computation needed more than `limit` steps.
        case steps(limit: Int)
        /// The request was cancelled.
        case cancelled(WorkCancellation.Reason)

        public var description: String {
            switch self {
            case .steps(let limit): "too much work: more than \(limit) steps"
            case .cancelled(let reason): "stopped: \(reason)"
            }
        }
    }

    /// Steps between reads of the cancellation flag: a few microseconds of work at most, so a
    /// cancelled computation stops at once, while the atomic load stays off the hot path.
    public static let checkInterval = 1024

    /// An unbounded budget (still cancellable): for callers that bound the work otherwise.
    public static func unlimited(cancellation: WorkCancellation? = nil) -> WorkBudget {
        WorkBudget(steps: Int.max / 2, cancellation: cancellation)
    }

    /// The steps this budget allowed.
    public let limit: Int
    private var remaining: Int
    private var untilCheck: Int
    private let cancellation: WorkCancellation?
    /// Why the budget ran out; `nil` while there is some left.
    public private(set) var exhaustion: Exhaustion?

    public init(steps: Int, cancellation: WorkCancellation? = nil) {
        limit = max(0, steps)
        remaining = limit
        untilCheck = 0
        self.cancellation = cancellation
    }

    /// Steps taken so far (at most the limit).
    public var used: Int { min(limit, limit - remaining) }

    public var isExhausted: Bool { exhaustion != nil }

    /// Takes `steps`; `false` once the budget is exhausted (and every time after).
    @inline(__always)
    public mutating func spend(_ steps: Int = 1) -> Bool {
        remaining &-= steps
        untilCheck &-= steps
        if untilCheck > 0, remaining >= 0 { return true }
        return checkpoint()
    }

    /// Whether `steps` more would still fit, without taking them (for work measured up front).
    public func allows(_ steps: Int) -> Bool {
        exhaustion == nil && steps <= remaining
    }

    /// Marks the budget exhausted by its step limit (for work refused up front by its size).
    public mutating func exhaust() {
        if exhaustion == nil { exhaustion = .steps(limit: limit) }
        remaining = -1
    }

    private mutating func checkpoint() -> Bool {
        if exhaustion != nil { return false }
        if remaining < 0 {
            exhaustion = .steps(limit: limit)
            return false
        }
        if let reason = cancellation?.reason {
            exhaustion = .cancelled(reason)
            return false
        }
        untilCheck = Self.checkInterval
        return true
    }
}
