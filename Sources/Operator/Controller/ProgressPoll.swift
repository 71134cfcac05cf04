import AssayCore

/// When to read a running suite's progress again: soon while it moves, less often while it does not.
struct ProgressPoll: Sendable, Hashable {
    var completed: Int
    let backoff: Backoff
    /// Reads in a row that found no new result.
    private(set) var stalls = 0

    init(completed: Int, backoff: Backoff) {
        self.completed = completed
        self.backoff = backoff
    }

    /// The wait before the next read: the backoff's base after progress, doubling per read without.
    var interval: Duration { backoff.ceiling(attempt: stalls + 1) }

    /// Records the cases completed now.
    mutating func observe(_ now: Int) {
        stalls = now == completed ? stalls + 1 : 0
        completed = now
    }
}
