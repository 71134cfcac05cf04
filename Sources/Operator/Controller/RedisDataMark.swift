import AssayRedis

/// Notices that Redis lost its data (a `FLUSHALL` or `FLUSHDB`, a restart without persistence, an
/// eviction) while nothing on the API server changes: a suite whose run stands still with no
/// evaluator ready is not read from Redis again (``Reconciler/Remembered/settled``), so without this
/// its status would keep the lost run's progress until the suite or its Deployment next changed.
///
/// The operator keeps one mark in Redis, a key holding a random token, and reads it every
/// ``defaultInterval``: one `GET` whatever the number of suites. When the mark it saw is gone or
/// holds another token, Redis lost what it held, and every suite is reconciled again (which seeds
/// a lost run anew). Only the leader runs the controller, so only it checks; a standby that takes
/// over starts from a fresh reconcile of every suite anyway.
struct RedisDataMark: Sendable {
    /// Outside every run's hash tag, so it never shares a slot's fate with one run.
    static let key = "assay:operator:data-mark"
    /// As often as evaluators write progress (``OperatorConfig/defaultProgressInterval``), so a
    /// flush is seen within seconds, for one `GET` every 5 s. (Our choice.)
    static let defaultInterval = Duration.seconds(5)

    let redis: RedisClient
    /// The token this operator writes when it finds no mark.
    let token: String
    /// The token last seen in Redis; `nil` until a first check found one.
    private(set) var seen: String?

    init(redis: RedisClient, token: String = String(UInt64.random(in: .min ... .max), radix: 16)) {
        self.redis = redis
        self.token = token
    }

    /// Reads the mark (and puts it back when missing); true when the mark seen before is gone, that
    /// is, when Redis lost its data since the last check.
    mutating func lostSinceLastCheck() async throws(RedisError) -> Bool {
        let read = try await redis.send(["GET", Self.key]).text
        let lost = seen != nil && read != seen
        if let read {
            seen = read
        } else if try await redis.send(["SET", Self.key, token, "NX"]) == .status("OK") {
            seen = token
        } else {
            // Another operator put its own mark back first: the next check reads it as the baseline.
            seen = nil
        }
        return lost
    }
}
