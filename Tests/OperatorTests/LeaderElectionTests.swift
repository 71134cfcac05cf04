import Testing

@testable import Operator

@Suite("LeaderElection")
struct LeaderElectionTests {
    typealias Election = LeaderElection
    static func lease(_ holder: String?, observedAt seconds: Int) -> Election.Lease {
        .init(holder: holder, observedAt: .seconds(seconds))
    }

    @Test(
        "decide: wait while another holder's lease is live, acquire otherwise",
        arguments: [
            (String?.none, 0, 1, Election.Action.acquire),
            ("", 0, 1, .acquire),
            ("me", 0, 1, .acquire),
            ("other", 0, 14, .wait),
            ("other", 0, 15, .acquire),
            ("other", 10, 20, .wait),
        ])
    func decide(holder: String?, observedAt: Int, now: Int, expected: Election.Action) {
        let election = Election(identity: "me")
        #expect(election.decide(lease: Self.lease(holder, observedAt: observedAt), now: .seconds(now)) == expected)
    }

    /// (event, time in seconds, role after).
    typealias Move = (Election.Event, Int, Election.Role)

    static let scripts: [(String, [Move])] = [
        ("a candidate that acquires leads", [(.acquired, 0, .leader(renewedAt: .zero))]),
        (
            "a candidate that sees a live holder follows, and competes again once it expires",
            [
                (.observed(lease("other", observedAt: 0)), 1, .follower(holder: "other")),
                (.observed(lease("other", observedAt: 0)), 16, .candidate),
                (.acquired, 16, .leader(renewedAt: .seconds(16))),
            ]
        ),
        (
            "a leader keeps leading through failed renewals until the 10 s renew deadline",
            [
                (.acquired, 0, .leader(renewedAt: .zero)), (.acquireFailed, 2, .leader(renewedAt: .zero)),
                (.acquireFailed, 9, .leader(renewedAt: .zero)), (.acquireFailed, 10, .candidate),
            ]
        ),
        (
            "a renewal moves the deadline",
            [
                (.acquired, 0, .leader(renewedAt: .zero)), (.acquired, 8, .leader(renewedAt: .seconds(8))),
                (.acquireFailed, 17, .leader(renewedAt: .seconds(8))), (.acquireFailed, 18, .candidate),
            ]
        ),
        (
            "a leader that sees another holder's live lease steps down",
            [
                (.acquired, 0, .leader(renewedAt: .zero)),
                (.observed(lease("other", observedAt: 3)), 3, .follower(holder: "other")),
            ]
        ),
        ("a failed first acquire leaves a candidate", [(.acquireFailed, 0, .candidate)]),
    ]

    @Test("role transitions", arguments: scripts)
    func transitions(name: String, moves: [Move]) {
        var election = Election(identity: "me")
        for (index, (event, time, role)) in moves.enumerated() {
            election.step(event, now: .seconds(time))
            #expect(election.role == role, "\(name), move \(index)")
        }
    }

    @Test("renewalExpired holds from the renew deadline on, and only for a leader")
    func renewalExpired() {
        var election = Election(identity: "me")
        #expect(!election.renewalExpired(now: .seconds(100)))
        election.step(.acquired, now: .seconds(5))
        #expect(!election.renewalExpired(now: .seconds(14)))
        #expect(election.renewalExpired(now: .seconds(15)))
        #expect(
            Election.Configuration()
                == .init(leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2)))
    }
}
