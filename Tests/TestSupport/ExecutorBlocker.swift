import AssayCore
import Dispatch

extension BoundedExecutor {
    /// Occupies one of the executor's threads with a job that waits for `release`; returns once
    /// the job runs, with its task (done after `release` is signalled).
    public func occupyThread(until release: DispatchSemaphore) async -> Task<Void, any Error> {
        let started = DispatchSemaphore(value: 0)
        let task = Task {
            try await run(.admitted) {
                started.signal()
                release.wait()
            }
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                started.wait()
                continuation.resume()
            }
        }
        return task
    }
}
