import Testing

@testable import Operator

@Suite("ReconcileQueue")
struct ReconcileQueueTests {
    typealias Queue = ReconcileQueue<String>

    /// One scripted step against the queue at a time in milliseconds, with what `next` returns.
    enum Step: Sendable, CustomStringConvertible {
        case add(String, at: Int)
        case next(at: Int, expect: String?)
        case done(String, at: Int)
        case retry(String, at: Int, expectDelayMs: Int)
        case forget(String)

        var description: String {
            switch self {
            case .add(let key, let at): "add \(key) @\(at)"
            case .next(let at, let key): "next @\(at) → \(key ?? "nil")"
            case .done(let key, let at): "done \(key) @\(at)"
            case .retry(let key, let at, let delay): "retry \(key) @\(at) → \(delay) ms"
            case .forget(let key): "forget \(key)"
            }
        }
    }

    static let scripts: [(String, [Step])] = [
        (
            "a key added twice is handed out once",
            [.add("a", at: 0), .add("a", at: 1), .next(at: 2, expect: "a"), .next(at: 2, expect: nil)]
        ),
        (
            "keys come out oldest first",
            [.add("b", at: 0), .add("a", at: 1), .next(at: 2, expect: "b"), .next(at: 2, expect: "a")]
        ),
        (
            "a key added while processing waits until done, then comes back",
            [
                .add("a", at: 0), .next(at: 0, expect: "a"), .add("a", at: 1), .next(at: 2, expect: nil),
                .done("a", at: 3), .next(at: 3, expect: "a"),
            ]
        ),
        (
            "a done key not re-added is gone",
            [.add("a", at: 0), .next(at: 0, expect: "a"), .done("a", at: 1), .next(at: 5, expect: nil)]
        ),
        (
            "retries back off 5, 10, 20 ms and reset on forget",
            [
                .retry("a", at: 0, expectDelayMs: 5), .next(at: 4, expect: nil), .next(at: 5, expect: "a"),
                .done("a", at: 5),
                .retry("a", at: 5, expectDelayMs: 10), .retry("a", at: 5, expectDelayMs: 20), .forget("a"),
                .retry("a", at: 5, expectDelayMs: 5),
            ]
        ),
        (
            "a plain add of a retrying key makes it ready at once",
            [.retry("a", at: 0, expectDelayMs: 5), .add("a", at: 1), .next(at: 1, expect: "a")]
        ),
    ]

    @Test("scripted behaviour", arguments: scripts)
    func script(name: String, steps: [Step]) {
        var queue = Queue()
        for step in steps {
            switch step {
            case .add(let key, let at): queue.add(key, now: .milliseconds(at))
            case .next(let at, let expected):
                #expect(queue.next(now: .milliseconds(at)) == expected, "\(name): \(step)")
            case .done(let key, let at): queue.done(key, now: .milliseconds(at))
            case .retry(let key, let at, let delay):
                #expect(queue.addRateLimited(key, now: .milliseconds(at)) == .milliseconds(delay), "\(name): \(step)")
            case .forget(let key): queue.forget(key)
            }
        }
    }

    @Test(
        "per-item backoff doubles from 5 ms and stops at 1000 s",
        arguments: [
            (0, Duration.milliseconds(5)), (1, .milliseconds(10)), (10, .milliseconds(5120)),
            (17, .milliseconds(655_360)), (18, .seconds(1000)), (100, .seconds(1000)),
        ])
    func backoff(attempt: Int, expected: Duration) {
        #expect(Queue().itemDelay(attempt: attempt) == expected)
    }

    @Test("the overall bucket spaces retries at 10 per second once its burst of 100 is spent")
    func overallRateLimit() {
        var queue = Queue()
        let delays = (0..<102).map { queue.addRateLimited("k\($0)", now: .zero) }
        #expect(delays.prefix(100).allSatisfy { $0 == .milliseconds(5) })
        #expect(delays[100] == .milliseconds(100))
        #expect(delays[101] == .milliseconds(200))
        // A second later ten tokens have come back; the debt of two is paid, eight are left.
        #expect(queue.addRateLimited("late", now: .seconds(1)) == .milliseconds(5))
    }

    @Test("nextReadyTime tells the driver how long to sleep")
    func nextReadyTime() {
        var queue = Queue()
        #expect(queue.nextReadyTime == nil)
        queue.add("a", after: .seconds(3), now: .seconds(1))
        queue.add("b", after: .seconds(1), now: .seconds(1))
        #expect(queue.nextReadyTime == .seconds(2))
        #expect(queue.next(now: .seconds(2)) == "b")
        #expect(!queue.isEmpty)
    }
}
