import AssayCore
import Foundation
import Testing

/// `Guarded` is the one lock of the code base; the ThreadSanitizer step of `bin/check` runs this suite with no
/// suppressions, so a contended `Guarded` that ThreadSanitizer reported as racing would fail it.
@Suite("Guarded")
struct GuardedTests {
    final class Counter: Sendable {
        let state = Guarded<(count: Int, log: [Int])>((0, []))
        func add(_ value: Int) {
            state.withLock { state in
                state.count += 1
                if state.log.count < 64 { state.log.append(value) }
            }
        }
    }

    @Test("two threads adding under contention count every increment exactly")
    func contendedIncrementsAreExact() {
        let counter = Counter()
        let iterations = 100_000
        let done = DispatchSemaphore(value: 0)
        for thread in 0..<2 {
            Thread {
                for _ in 0..<iterations { counter.add(thread) }
                done.signal()
            }.start()
        }
        done.wait()
        done.wait()
        #expect(counter.state.withLock { $0.count } == 2 * iterations)
        #expect(counter.state.withLock { $0.log.count } == 64)
    }

    struct Refused: Error, Equatable {}

    @Test("an error thrown inside the lock reaches the caller with its type, and the lock is free afterwards")
    func typedErrorsPassThrough() {
        let guarded = Guarded(1)
        #expect(throws: Refused()) {
            try guarded.withLock { (value: inout Int) throws(Refused) -> Void in
                value = 2
                throw Refused()
            }
        }
        #expect(guarded.withLock { $0 } == 2, "the change before the throw stays and the lock can be taken again")
    }
}
