import AssayCore

/// The one test clock: time moves only when told to. Sleepers either wait until ``advance(by:)``
/// passes their deadline (``Sleeping/untilAdvanced``, for code that must be seen waiting), or move
/// time forward themselves at once (``Sleeping/advancesTime``, for loops whose waits a test only
/// counts). Every sleep is recorded.
public final class ManualClock: MonotonicClock {
    public enum Sleeping: Sendable {
        case untilAdvanced
        case advancesTime
    }

    private struct State {
        var now: ContinuousClock.Instant
        var sleeps: [Duration] = []
        var sleepers: [(deadline: ContinuousClock.Instant, wake: CheckedContinuation<Void, Never>)] = []
    }

    public let sleeping: Sleeping
    private let state: Guarded<State>

    public init(sleeping: Sleeping = .untilAdvanced, start: ContinuousClock.Instant = TestTime.origin) {
        self.sleeping = sleeping
        state = Guarded(State(now: start))
    }

    public var now: ContinuousClock.Instant { state.withLock { $0.now } }

    /// The duration of every sleep so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    public func advance(by duration: Duration) {
        let due = state.withLock { state in
            state.now += duration
            let now = state.now
            defer { state.sleepers.removeAll { $0.deadline <= now } }
            return state.sleepers.filter { $0.deadline <= now }
        }
        for sleeper in due { sleeper.wake.resume() }
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try Task.checkCancellation()
        if sleeping == .advancesTime {
            state.withLock { state in
                state.sleeps.append(max(.zero, deadline - state.now))
                state.now = max(state.now, deadline)
            }
            return
        }
        await withCheckedContinuation { (wake: CheckedContinuation<Void, Never>) in
            let due = state.withLock { state in
                state.sleeps.append(max(.zero, deadline - state.now))
                if state.now >= deadline { return true }
                state.sleepers.append((deadline, wake))
                return false
            }
            if due { wake.resume() }
        }
    }
}

/// Instants for tables of times: a fixed origin of this test process plus an offset.
public enum TestTime {
    public static let origin = ContinuousClock.now

    public static func at(_ offset: Duration) -> ContinuousClock.Instant { origin + offset }

    public static func seconds(_ seconds: Int) -> ContinuousClock.Instant { origin + .seconds(seconds) }
}
