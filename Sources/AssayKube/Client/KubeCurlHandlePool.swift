import AssayCore
import AssayHTTP

/// Idle easy handles of one ``KubeCurlTransport``: a handle keeps its connection open after a
/// transfer, so the next request that takes it skips the TCP and TLS handshakes (keep-alive).
/// A handle is used by one transfer thread at a time: taken, used, reset, returned.
final class KubeCurlHandlePool: Sendable {
    /// Idle handles kept: an operator at client-go's default 5 qps rarely has more than a few
    /// ordinary requests in flight; watches hold their handles for minutes and return them after.
    static let defaultCapacity = 8

    /// A handle in the pool. Unchecked: a handle is only ever touched by the one thread that took
    /// it, and the mutex hands it over between threads.
    private final class Idle: @unchecked Sendable {
        let handle: CurlEasyHandle
        init(_ handle: CurlEasyHandle) { self.handle = handle }
    }

    private let idle: Guarded<[Idle]>
    private let capacity: Int

    init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
        self.idle = Guarded([])
    }

    /// An idle handle, or a new one; `nil` only when libcurl cannot allocate.
    func take() -> CurlEasyHandle? {
        if let idle = idle.withLock({ $0.popLast() }) { return idle.handle }
        return CurlEasyHandle()
    }

    /// Takes back a handle whose transfer finished cleanly; its options are cleared (they point at
    /// the finished transfer's buffers) while its connection stays open.
    func give(_ handle: CurlEasyHandle) {
        handle.reset()
        let entry = Idle(handle)
        idle.withLock { idle in
            if idle.count < capacity { idle.append(entry) }
        }
    }
}
