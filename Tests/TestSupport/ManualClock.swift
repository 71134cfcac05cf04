import AssayCore
import Synchronization

/// A clock that moves only when told to; sleepers wake when `advance` passes their deadline.
public final class ManualClock: MonotonicClock {
    private struct State {
        var now = ContinuousClock.now
        var sleepers: [(deadline: ContinuousClock.Instant, wake: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var now: ContinuousClock.Instant { state.withLock { $0.now } }

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
        await withCheckedContinuation { (wake: CheckedContinuation<Void, Never>) in
            let due = state.withLock { state in
                if state.now >= deadline { return true }
                state.sleepers.append((deadline, wake))
                return false
            }
            if due { wake.resume() }
        }
    }
}
