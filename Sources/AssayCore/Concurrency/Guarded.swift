import CSystem
import Synchronization

/// State behind a lock: `Synchronization.Mutex`, plus the happens-before edges ThreadSanitizer needs.
///
/// Mutex's contended path waits in a futex call inside the uninstrumented `libswiftSynchronization`, so
/// ThreadSanitizer never sees one holder's release order its writes before the next holder's reads, and it reports
/// the lock's own critical sections as racing (tools/tsan/MutexRepro.swift shows it in 40 lines). Each critical
/// section here tells it so (`__tsan_acquire` after locking, `__tsan_release` before unlocking, on the lock's
/// address), which keeps the ThreadSanitizer step free of suppressions, so a real race anywhere still fails it.
/// Outside a ThreadSanitizer build the annotations are null weak symbols: one untaken branch each.
public struct Guarded<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    // Sendable as Mutex is: the value is only reached through `withLock`, and it is `sending` in and out.
    @usableFromInline let mutex: Mutex<Value>

    public init(_ initial: consuming sending Value) {
        mutex = Mutex(initial)
    }

    /// Runs `body` with the value, holding the lock.
    @inlinable
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            let address = withUnsafePointer(to: mutex) { UnsafeRawPointer($0) }
            assay_tsan_acquire(address)
            defer { assay_tsan_release(address) }
            return try body(&value)
        }
    }
}
