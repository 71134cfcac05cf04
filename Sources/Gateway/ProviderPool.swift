import AssayCore
import AssayHTTP
import AssayRedis
import AssayResilience
import Providers

/// The process's provider endpoints, one per distinct ``ProviderConfig``, created on first use and
/// shared by every request: so a provider's circuit breaker sees all of this pod's calls to it,
/// and its rate limit (through Redis, when configured) all pods' calls.
public final class ProviderPool: Sendable {
    public struct Configuration: Sendable {
        /// Endpoints kept at most. Configs come from requests, so without a bound a client sending
        /// endlessly varied configs would grow the pool (and the metric label sets) without end;
        /// past this, a new config gets a fresh endpoint per request that is not kept. (Our
        /// choice: far more providers than any deployment configures.)
        public static let defaultMaxEndpoints = 256

        /// How long an open circuit stays open (the 30 s).
        public var circuitOpenDuration: Duration = CircuitBreakerConfiguration.defaultOpenDuration
        /// The longest a request waits for a rate-limit slot before it moves on (``TokenBucket``'s 2 s).
        public var rateLimitMaxWait: Duration = TokenBucket.Configuration.defaultMaxWait
        /// Evaluator pods sharing each rate limit; each enforces `1/replicas` of it while Redis is
        /// unreachable.
        public var replicas: Int = 1
        public var maxEndpoints: Int = defaultMaxEndpoints

        public init() {}
    }

    public let configuration: Configuration
    public let metrics: ProviderMetrics
    private let transport: any HTTPTransport
    /// Where rate limits are shared; the evaluator also reads runs through it.
    public let redis: RedisClient?
    private let environment: ProviderEnvironment
    private let logger: Logger
    private let endpoints = Guarded<[ProviderConfig: ProviderEndpoint]>([:])
    /// Endpoints in the order they were first used, for listing.
    private let order = Guarded<[ProviderConfig]>([])

    /// - Parameters:
    ///   - transport: the process's one HTTP client.
    ///   - redis: where rate limits are shared; `nil` keeps them per process.
    public init(
        configuration: Configuration = Configuration(), transport: any HTTPTransport, redis: RedisClient?,
        metrics: ProviderMetrics, environment: ProviderEnvironment = .process,
        logger: Logger = Logger(label: "gateway")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.redis = redis
        self.metrics = metrics
        self.environment = environment
        self.logger = logger
    }

    /// Whether rate limits are shared with other processes through Redis.
    public var sharesRateLimits: Bool { redis != nil }

    /// The endpoint for `config`, created on first use.
    public func endpoint(for config: ProviderConfig) -> ProviderEndpoint {
        if let existing = endpoints.withLock({ $0[config] }) { return existing }
        let made = makeEndpoint(config)
        return endpoints.withLock { endpoints in
            if let existing = endpoints[config] { return existing }
            guard endpoints.count < configuration.maxEndpoints else { return made }
            endpoints[config] = made
            order.withLock { $0.append(config) }
            return made
        }
    }

    /// A fallback chain over `configs`, in order.
    public func chain(_ configs: [ProviderConfig]) -> FallbackChain {
        FallbackChain(endpoints: configs.map(endpoint(for:)), maxWait: configuration.rateLimitMaxWait, metrics: metrics)
    }

    /// Every kept endpoint, in the order first used.
    public var all: [ProviderEndpoint] {
        let configs = order.withLock { $0 }
        return endpoints.withLock { endpoints in configs.compactMap { endpoints[$0] } }
    }

    private func makeEndpoint(_ config: ProviderConfig) -> ProviderEndpoint {
        let metrics = self.metrics
        let logger = self.logger
        let name = config.name
        let breakerConfiguration =
            (try? CircuitBreakerConfiguration(
                callTimeout: .milliseconds(Int64(config.timeoutSeconds * 1000)),
                openDuration: configuration.circuitOpenDuration)) ?? .standard
        let breaker = CircuitBreaker(
            name: name, configuration: breakerConfiguration,
            onTransition: { transition in
                metrics.recordTransition(provider: name, to: transition.to)
                logger.info(
                    "circuit breaker changed state",
                    [
                        "provider": name, "from": transition.from.rawValue, "to": transition.to.rawValue,
                        "reason": "\(transition.reason)",
                    ])
            })
        metrics.circuitState.labels(name).set(ProviderMetrics.gaugeValue(.closed))
        return ProviderEndpoint(
            config: config, transport: transport, environment: environment, breaker: breaker,
            rateLimiter: makeRateLimiter(config), metrics: metrics)
    }

    private func makeRateLimiter(_ config: ProviderConfig) -> ProviderRateLimiter? {
        guard let rate = config.rateLimit,
            let limit = try? RateLimit(
                requestsPerSecond: rate.requestsPerSecond, burst: rate.burst, tokensPerMinute: rate.tokensPerMinute)
        else { return nil }
        let key = Self.rateLimitKey(config)
        // Without Redis each process enforces its share, so the replicas together keep the limit.
        let share = LocalRateLimiter(provider: key, limit: limit.divided(by: configuration.replicas))
        guard let redis else { return .local(share) }
        guard
            let bucketConfiguration = try? TokenBucket.Configuration(
                provider: key, limit: limit, replicas: configuration.replicas, maxWait: configuration.rateLimitMaxWait)
        else { return .local(share) }
        let metrics = self.metrics
        return .shared(
            TokenBucket(configuration: bucketConfiguration, redis: redis, logger: logger) { degraded in
                metrics.setDegraded(degraded, limiter: key)
            })
    }

    /// The rate-limit identity of a config: its name, model and upstream, so two configs for the
    /// same model at the same provider share a limit across pods. Braces delimit the Redis hash
    /// tag and are dropped.
    static func rateLimitKey(_ config: ProviderConfig) -> String {
        "\(config.name):\(config.model)@\(ProviderEndpoint.withoutUserInfo(config.resolvedBaseURL))".filter {
            $0 != "{" && $0 != "}"
        }
    }
}
