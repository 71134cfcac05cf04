import AssayCore
import AssayRedis

/// One provider's rate limit, shared by every evaluator pod through Redis.
///
/// A caller over the limit reserves the next slot and waits for it (callers are served in order),
/// unless the wait would exceed the maximum, in which case it gets
/// ``ResilienceError/rateLimitWaitExceeded(provider:wait:maxWait:)`` at once and should try the next
/// provider. Token limits are charged with an estimate up front and settled with the actual usage.
///
/// When Redis is unreachable the bucket degrades to an in-process limit at the configured rate
/// divided by the replica count, logs once, reports it through ``isDegraded`` and `onDegradedChange`,
/// and probes Redis with exponential backoff (one caller at a time; the others keep using the
/// local limit) until it answers again.
///
/// Neither switch adds a burst. The local limit starts where the shared bucket last stood (each
/// Redis reply says how far its TAT is ahead of now), so a pod that had used the burst does not
/// get a fresh one when Redis goes; and every script call tells Redis this pod's last known
/// backlog, which a key lost with Redis's data (a restart without persistence) starts from,
/// so the shared bucket does not come back full either. A backlog in time is the same for the
/// whole limit and for one pod's share (the share's interval is `replicas` times longer and its
/// burst `replicas` times smaller), so the two hand over without conversion.
public final class TokenBucket: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// The longest a caller waits for a slot by default. A typical LLM completion takes a few
        /// seconds, so waiting longer than about one call for a slot is worse than trying the next
        /// provider. (Our choice.)
        public static let defaultMaxWait = Duration.seconds(2)
        /// First Redis probe 250 ms after it went away (a Redis without persistence restarts in
        /// about a second), then doubling up to one probe every 10 s per pod. (Our choice.)
        public static let defaultProbeBackoff = try! Backoff(base: .milliseconds(250), cap: .seconds(10))

        public let provider: String
        public let limit: RateLimit
        /// Pods sharing the limit; each enforces `limit / replicas` alone while degraded.
        public let replicas: Int
        public let maxWait: Duration
        public let probeBackoff: Backoff

        public init(
            provider: String, limit: RateLimit, replicas: Int = 1, maxWait: Duration = defaultMaxWait,
            probeBackoff: Backoff = defaultProbeBackoff
        ) throws(ResilienceError) {
            guard !provider.isEmpty, !provider.contains("{"), !provider.contains("}") else {
                throw .invalidConfiguration(
                    field: "rateLimit.provider",
                    reason: "must be non-empty without { or } (they delimit the key's hash tag)")
            }
            guard replicas >= 1 else {
                throw .invalidConfiguration(field: "rateLimit.replicas", reason: "must be at least 1, got \(replicas)")
            }
            guard maxWait >= .zero else {
                throw .invalidConfiguration(field: "rateLimit.maxWait", reason: "must not be negative, got \(maxWait)")
            }
            self.provider = provider
            self.limit = limit
            self.replicas = replicas
            self.maxWait = maxWait
            self.probeBackoff = probeBackoff
        }
    }

    /// A granted request. Pass it to ``settle(_:actualTokens:)`` once the usage is known.
    public struct Grant: Sendable, Equatable {
        public enum Source: Sendable, Equatable {
            case redis
            /// The in-process fallback limit.
            case local
        }

        public let estimatedTokens: Int
        /// How long the caller waited for its slot.
        public let waited: Duration
        public let source: Source
    }

    /// The Redis keys of a provider's limit. The braces make `assay:ratelimit:<provider>` the hash
    /// tag, so both keys map to one Redis Cluster slot.
    public static func keys(provider: String) -> (requests: String, tokens: String) {
        let tag = "{assay:ratelimit:\(provider)}"
        return ("\(tag):requests", "\(tag):tokens")
    }

    private struct Local {
        var degraded = false
        var probing = false
        var failedProbes = 0
        var nextProbe: ContinuousClock.Instant
        var requests: GCRA
        var tokens: GCRA?
        /// The shared bucket's TATs as of the last Redis reply, on this process's clock.
        var sharedRequestsTAT: ContinuousClock.Instant?
        var sharedTokensTAT: ContinuousClock.Instant?
    }

    private enum Route {
        case redis
        case probe
        case local
    }

    public let configuration: Configuration
    private let redis: RedisClient
    private let clock: any MonotonicClock
    private let logger: Logger
    private let onDegradedChange: @Sendable (Bool) -> Void
    private let keys: [String]
    private let local: Guarded<Local>

    /// - Parameter onDegradedChange: called with `true` when the bucket falls back to the local
    ///   limit and `false` when it is back on Redis (drive `assay_ratelimit_degraded` with it).
    public init(
        configuration: Configuration, redis: RedisClient, clock: any MonotonicClock = SystemClock(),
        logger: Logger = Logger(label: "ratelimit"), onDegradedChange: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.redis = redis
        self.clock = clock
        self.logger = logger
        self.onDegradedChange = onDegradedChange
        let keys = Self.keys(provider: configuration.provider)
        self.keys = [keys.requests, keys.tokens]
        local = Guarded(Self.freshLocal(configuration, now: clock.now))
    }

    /// Whether the limit is currently enforced in-process because Redis is unreachable.
    public var isDegraded: Bool { local.withLock { $0.degraded } }

    /// Waits for a request slot (and `estimatedTokens` tokens); throws
    /// ``ResilienceError/rateLimitWaitExceeded(provider:wait:maxWait:)`` without waiting when the
    /// slot is further away than `maxWait` (default: the configuration's), or `CancellationError`
    /// if cancelled while waiting (the reservation is then given back).
    public func acquire(estimatedTokens: Int = 0, maxWait: Duration? = nil) async throws -> Grant {
        let maxWait = maxWait ?? configuration.maxWait
        let estimatedTokens = max(0, estimatedTokens)
        let route = local.withLock { local -> Route in
            guard local.degraded else { return .redis }
            guard !local.probing, clock.now >= local.nextProbe else { return .local }
            local.probing = true
            return .probe
        }
        if route != .local {
            do {
                let reply = try await runScript("acquire", requests: 1, tokens: estimatedTokens, maxWait: maxWait)
                if route == .probe { recovered() }
                return try await grant(reply, estimatedTokens: estimatedTokens, maxWait: maxWait, source: .redis)
            } catch let error as RedisError {
                unreachable(error, probing: route == .probe)
            }
        }
        return try await acquireLocally(estimatedTokens: estimatedTokens, maxWait: maxWait)
    }

    /// Charges or refunds the difference between the estimate and `actualTokens`. Best effort: if
    /// Redis fails now, the difference is dropped (and the bucket degrades).
    public func settle(_ grant: Grant, actualTokens: Int) async {
        let difference = max(0, actualTokens) - grant.estimatedTokens
        guard difference != 0, configuration.limit.tokensPerMinute != nil else { return }
        switch grant.source {
        case .redis:
            do {
                _ = try await runScript("adjust", requests: 0, tokens: difference, maxWait: .zero)
            } catch {
                unreachable(error, probing: false)
            }
        case .local:
            let now = clock.now
            local.withLock { $0.tokens?.adjust(units: difference, now: now) }
        }
    }

    private func grant(
        _ reply: (admitted: Bool, wait: Duration), estimatedTokens: Int, maxWait: Duration,
        source: Grant.Source
    ) async throws -> Grant {
        guard reply.admitted else {
            throw ResilienceError.rateLimitWaitExceeded(
                provider: configuration.provider, wait: reply.wait, maxWait: maxWait)
        }
        if reply.wait > .zero {
            do {
                try await clock.sleep(until: clock.now + reply.wait)
            } catch {
                await giveBack(estimatedTokens: estimatedTokens, source: source)
                throw error
            }
        }
        return Grant(estimatedTokens: estimatedTokens, waited: reply.wait, source: source)
    }

    private func giveBack(estimatedTokens: Int, source: Grant.Source) async {
        switch source {
        case .redis:
            _ = try? await runScript("adjust", requests: -1, tokens: -estimatedTokens, maxWait: .zero)
        case .local:
            let now = clock.now
            local.withLock { local in
                local.requests.adjust(units: -1, now: now)
                local.tokens?.adjust(units: -estimatedTokens, now: now)
            }
        }
    }

    private func acquireLocally(estimatedTokens: Int, maxWait: Duration) async throws -> Grant {
        let now = clock.now
        let reply = local.withLock { local -> (admitted: Bool, wait: Duration) in
            let wait = max(
                local.requests.wait(units: 1, now: now), local.tokens?.wait(units: estimatedTokens, now: now) ?? .zero)
            guard wait <= maxWait else { return (false, wait) }
            local.requests.reserve(units: 1, at: now + wait)
            local.tokens?.reserve(units: estimatedTokens, at: now + wait)
            return (true, wait)
        }
        return try await grant(reply, estimatedTokens: estimatedTokens, maxWait: maxWait, source: .local)
    }

    private func runScript(_ operation: String, requests: Int, tokens: Int, maxWait: Duration) async throws(RedisError)
        -> (admitted: Bool, wait: Duration)
    {
        let limit = configuration.limit
        let sent = clock.now
        // What this pod knows of the bucket: its local limit's state while degraded (a probe), the
        // shared bucket's last reply otherwise.
        let (requestsTAT, tokensTAT) = local.withLock { local in
            local.degraded
                ? (local.requests.tat, local.tokens?.tat) : (local.sharedRequestsTAT, local.sharedTokensTAT)
        }
        let arguments = [
            operation,
            String(Self.microseconds(limit.requestInterval)), String(limit.burst),
            String(limit.tokenInterval.map(Self.microseconds) ?? 0), String(limit.tokenBurst),
            String(requests), String(tokens), String(Int64(Self.microseconds(maxWait))),
            String(Self.backlog(requestsTAT, now: sent)), String(Self.backlog(tokensTAT, now: sent)),
        ]
        let reply = try await redis.run(TokenBucketScript.script, keys: keys, arguments: arguments)
        guard let values = reply.array, values.count == 4, let admitted = values[0].integer,
            let waitMilliseconds = values[1].integer, let requestsBacklog = values[2].integer,
            let tokensBacklog = values[3].integer
        else {
            throw .protocolError(
                "the rate-limit script returned \(reply), expected {admitted, wait_ms, request_backlog_us, token_backlog_us}"
            )
        }
        local.withLock { local in
            local.sharedRequestsTAT = sent + .microseconds(requestsBacklog)
            local.sharedTokensTAT = limit.tokensPerMinute == nil ? nil : sent + .microseconds(tokensBacklog)
        }
        return (admitted == 1, .milliseconds(waitMilliseconds))
    }

    /// How far `tat` is ahead of `now`, in whole microseconds (0 when it is not).
    private static func backlog(_ tat: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Int64 {
        guard let tat, tat > now else { return 0 }
        return Int64(microseconds(tat - now))
    }

    private func unreachable(_ error: any Error, probing: Bool) {
        let now = clock.now
        let entered = local.withLock { local -> Bool in
            if probing {
                local.probing = false
                local.failedProbes += 1
                local.nextProbe = now + configuration.probeBackoff.ceiling(attempt: local.failedProbes + 1)
                return false
            }
            guard !local.degraded else { return false }
            let (requestsTAT, tokensTAT) = (local.sharedRequestsTAT, local.sharedTokensTAT)
            local = Self.freshLocal(configuration, now: now)
            // The local share starts where the shared bucket stood, not full.
            local.requests.takeOver(from: requestsTAT)
            local.tokens?.takeOver(from: tokensTAT)
            local.sharedRequestsTAT = requestsTAT
            local.sharedTokensTAT = tokensTAT
            local.degraded = true
            local.nextProbe = now + configuration.probeBackoff.ceiling(attempt: 1)
            return true
        }
        guard entered else { return }
        let share = configuration.limit.divided(by: configuration.replicas)
        logger.warning(
            "Redis unreachable; enforcing the rate limit in-process at this pod's share until it is back",
            [
                "provider": configuration.provider, "error": String(describing: error),
                "localRequestsPerSecond": String(share.requestsPerSecond),
                "replicas": String(configuration.replicas),
            ])
        onDegradedChange(true)
    }

    private func recovered() {
        let left = local.withLock { local -> Bool in
            guard local.degraded else { return false }
            local.degraded = false
            local.probing = false
            local.failedProbes = 0
            return true
        }
        guard left else { return }
        logger.info(
            "Redis reachable again; the rate limit is shared through Redis", ["provider": configuration.provider])
        onDegradedChange(false)
    }

    private static func freshLocal(_ configuration: Configuration, now: ContinuousClock.Instant) -> Local {
        let share = configuration.limit.divided(by: configuration.replicas)
        return Local(
            nextProbe: now, requests: GCRA(interval: share.requestInterval, burst: share.burst),
            tokens: share.tokenInterval.map { GCRA(interval: $0, burst: share.tokenBurst) })
    }

    private static func microseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }
}
