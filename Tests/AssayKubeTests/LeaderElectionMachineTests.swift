import TestSupport
import Testing

@testable import AssayKube

@Suite("LeaderElectionMachine")
struct LeaderElectionMachineTests {
    typealias Machine = LeaderElectionMachine
    static let machine = Machine(identity: "me")
    static func at(_ seconds: Int) -> ContinuousClock.Instant { TestTime.seconds(seconds) }

    static func observed(_ holder: String?, since: Int, at now: Int) -> Machine.Event {
        .observed(.init(holder: holder, observedAt: at(since)), at: at(now))
    }

    @Test(
        "an observed Lease: wait while another holder's lease is live, acquire otherwise",
        arguments: [
            (String?.none, 0, 1, Machine.Effect.acquire),
            ("", 0, 1, .acquire),
            ("me", 0, 1, .acquire),
            ("other", 0, 14, .wait),
            ("other", 0, 15, .acquire),
            ("other", 10, 20, .wait),
        ])
    func decide(holder: String?, observedAt: Int, now: Int, expected: Machine.Effect) {
        let step = Self.machine.transition(.candidate, Self.observed(holder, since: observedAt, at: now))
        #expect(step.effects == [expected])
    }

    /// (event, state after, effects).
    typealias Row = (Machine.Event, Machine.State, [Machine.Effect])

    static let tables: [(String, [Row])] = [
        ("a candidate that acquires leads", [(.acquired(at: at(0)), .leader(renewedAt: at(0)), [.startLeading])]),
        (
            "a candidate that sees a live holder follows, and competes again once it expires",
            [
                (observed("other", since: 0, at: 1), .follower(holder: "other"), [.wait]),
                (observed("other", since: 0, at: 16), .candidate, [.acquire]),
                (.acquired(at: at(16)), .leader(renewedAt: at(16)), [.startLeading]),
            ]
        ),
        (
            "a leader keeps leading through failed renewals until the 10 s renew deadline",
            [
                (.acquired(at: at(0)), .leader(renewedAt: at(0)), [.startLeading]),
                (.acquireFailed(at: at(2)), .leader(renewedAt: at(0)), []),
                (.acquireFailed(at: at(9)), .leader(renewedAt: at(0)), []),
                (.acquireFailed(at: at(10)), .candidate, [.stopLeading]),
            ]
        ),
        (
            "a renewal moves the deadline",
            [
                (.acquired(at: at(0)), .leader(renewedAt: at(0)), [.startLeading]),
                (observed("me", since: 0, at: 8), .leader(renewedAt: at(0)), [.acquire]),
                (.acquired(at: at(8)), .leader(renewedAt: at(8)), []),
                (.acquireFailed(at: at(17)), .leader(renewedAt: at(8)), []),
                (.acquireFailed(at: at(18)), .candidate, [.stopLeading]),
            ]
        ),
        (
            "a leader that sees another holder's live lease steps down",
            [
                (.acquired(at: at(0)), .leader(renewedAt: at(0)), [.startLeading]),
                (observed("other", since: 3, at: 3), .follower(holder: "other"), [.wait, .stopLeading]),
            ]
        ),
        ("a failed first acquire leaves a candidate", [(.acquireFailed(at: at(0)), .candidate, [])]),
    ]

    @Test("transitions", arguments: tables)
    func transitions(name: String, rows: [Row]) {
        var state = Self.machine.initial
        for (index, (event, expected, effects)) in rows.enumerated() {
            let step = Self.machine.transition(state, event)
            #expect(step.state == expected, "\(name), row \(index)")
            #expect(step.effects == effects, "\(name), row \(index)")
            state = step.state
        }
    }

    @Test("a renewal expires from the renew deadline on, and only a leader's; the defaults are controller-runtime's")
    func renewalExpired() {
        #expect(Self.machine.transition(.candidate, .acquireFailed(at: Self.at(100))).state == .candidate)
        let leader = Machine.State.leader(renewedAt: Self.at(5))
        #expect(Self.machine.transition(leader, .acquireFailed(at: Self.at(14))).state == leader)
        #expect(Self.machine.transition(leader, .acquireFailed(at: Self.at(15))).state == .candidate)
        #expect(
            Machine.Configuration()
                == .init(leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2)))
    }
}
