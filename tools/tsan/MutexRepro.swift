// A minimal reproduction of the ThreadSanitizer reports on `Synchronization.Mutex` (tools/tsan/reproduce runs it).
//
// Two threads add to a counter under one lock. The total is always exact, so the lock works; yet with `Mutex`
// ThreadSanitizer reports a "Swift access race" on the counter, and with `NSLock` it reports nothing. The reason:
// Mutex's uncontended path is an atomic compare-and-swap inlined into our (instrumented) code, but its contended
// path is a futex call inside libswiftSynchronization.so, which is not instrumented, so ThreadSanitizer never sees
// the release/acquire that orders one holder's writes before the next holder's reads. Reports whose both accesses
// sit inside `Mutex.withLock` are therefore false positives; AssayCore's `Guarded` wraps Mutex with the annotations
// that give ThreadSanitizer the missing edges, so the project needs no suppressions.
import Foundation
import Synchronization

final class MutexCounter: Sendable {
    let value = Mutex<Int>(0)
    func add() { value.withLock { $0 += 1 } }
    var total: Int { value.withLock { $0 } }
}

final class LockCounter: @unchecked Sendable {
    let lock = NSLock()
    var value = 0
    func add() { lock.withLock { value += 1 } }
    var total: Int { lock.withLock { value } }
}

let useMutex = CommandLine.arguments.dropFirst().first != "nslock"
let mutexCounter = MutexCounter()
let lockCounter = LockCounter()
let iterations = 200_000
let done = DispatchSemaphore(value: 0)
for _ in 0..<2 {
    Thread {
        for _ in 0..<iterations {
            if useMutex { mutexCounter.add() } else { lockCounter.add() }
        }
        done.signal()
    }.start()
}
done.wait()
done.wait()
let total = useMutex ? mutexCounter.total : lockCounter.total
print("\(useMutex ? "Mutex" : "NSLock"): \(total) of \(2 * iterations) increments")
exit(total == 2 * iterations ? 0 : 1)
