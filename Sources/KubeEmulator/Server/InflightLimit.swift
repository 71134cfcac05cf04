import AssayCore

/// kube-apiserver's max-in-flight filter: at most `readOnly` reads and `mutating` writes served at
/// once; a request over the limit is refused at once with `429 Too Many Requests`, `Retry-After: 1`
/// and the plain-text body the real filter sends (`http.Error`). Watches are long-running and not
/// counted, as there. API Priority and Fairness, which replaced this filter by default, answers a
/// rejected request with the same 429 (its queues, flows and borrowing are not emulated).
final class InflightLimit: Sendable {
    /// The real server's defaults (`--max-requests-inflight` 400, `--max-mutating-requests-inflight`
    /// 200); 0 means no limit.
    struct Limits: Sendable, Hashable {
        var readOnly = 0
        var mutating = 0
        var isOff: Bool { readOnly == 0 && mutating == 0 }
    }

    /// The body and header of a refusal, as kube-apiserver writes them.
    static let message = "Too many requests, please try again later.\n"
    static let retryAfterSeconds = 1

    let limits: Limits
    private let inflight = Guarded<(readOnly: Int, mutating: Int)>((0, 0))

    init(_ limits: Limits) { self.limits = limits }

    /// A read is a GET or HEAD (get, list); everything else mutates.
    static func isMutating(_ method: String) -> Bool { !["GET", "HEAD"].contains(method) }

    /// Takes a slot, or `false` when the request must be refused. Every `true` needs a ``leave(mutating:)``.
    func enter(mutating: Bool) -> Bool {
        inflight.withLock { counts in
            if mutating {
                guard limits.mutating == 0 || counts.mutating < limits.mutating else { return false }
                counts.mutating += 1
            } else {
                guard limits.readOnly == 0 || counts.readOnly < limits.readOnly else { return false }
                counts.readOnly += 1
            }
            return true
        }
    }

    func leave(mutating: Bool) {
        inflight.withLock { counts in
            if mutating { counts.mutating -= 1 } else { counts.readOnly -= 1 }
        }
    }

    static func refusal() -> EmulatorReply {
        .full(
            status: 429,
            headers: [
                ("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff"),
                ("Retry-After", String(retryAfterSeconds)),
            ],
            body: Array(message.utf8))
    }
}
