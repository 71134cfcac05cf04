/// The one shape of every state machine here: the watcher, the circuit breaker, leader election,
/// the reconcile queue and the suite's phase. The state is an enum of named states, each carrying
/// what it needs to decide the next; events carry the instant they happened at (from the one
/// ``MonotonicClock``) and any random sample a jitter needs, so that one pure function decides
/// everything and a table of (event, next state, effects) tests every rule.
///
/// A driver owns the I/O: it feeds events in, keeps the state, and performs the effects.
public protocol StateMachine: Sendable {
    associatedtype State: Sendable, Equatable
    associatedtype Event: Sendable
    associatedtype Effect: Sendable, Equatable

    /// Where the machine starts.
    var initial: State { get }

    /// The state after `event` in `state`, and what the driver must do about it. Pure: the same
    /// state and event always give the same answer.
    func transition(_ state: State, _ event: Event) -> (state: State, effects: [Effect])
}

extension StateMachine {
    /// Feeds `events` in order from `state`; every step's state and effects.
    public func run(_ events: [Event], from state: State? = nil) -> [(state: State, effects: [Effect])] {
        var current = state ?? initial
        return events.map { event in
            let step = transition(current, event)
            current = step.state
            return step
        }
    }
}
