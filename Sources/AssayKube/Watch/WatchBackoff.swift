/// Exponential backoff between failed list or watch attempts, with the parameters of
/// client-go's reflector: 800 ms doubling to 30 s, up to 100 % jitter, and back to 800 ms once
/// 2 minutes have passed without a failure.
public struct WatchBackoff: Sendable, Hashable {
    /// client-go's reflector: initial backoff 800 ms.
    public static let defaultInitial: Duration = .milliseconds(800)
    /// client-go's reflector: backoff capped at 30 s.
    public static let defaultMaximum: Duration = .seconds(30)
    /// client-go's reflector: factor 2.
    public static let defaultFactor = 2.0
    /// client-go's reflector: jitter 1.0 (a delay of d becomes d plus up to another d).
    public static let defaultJitter = 1.0
    /// client-go's reflector: reset after 2 minutes without errors.
    public static let defaultResetAfter: Duration = .seconds(120)

    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    public var jitter: Double
    public var resetAfter: Duration
    /// The last delay before jitter; `nil` until the first failure (or after a reset).
    public private(set) var current: Duration?
    /// When the last failure happened, on the watcher's clock.
    public private(set) var lastFailure: Duration?

    public init(
        initial: Duration = defaultInitial, maximum: Duration = defaultMaximum, factor: Double = defaultFactor,
        jitter: Double = defaultJitter, resetAfter: Duration = defaultResetAfter
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.resetAfter = resetAfter
    }

    /// The delay after a failure at `now`. `random` is uniform in `0..<1` and scales the jitter.
    /// The jittered delay never exceeds ``maximum``.
    public mutating func next(at now: Duration, random: Double) -> Duration {
        let base: Duration
        if let current, let lastFailure, now - lastFailure < resetAfter {
            base = min(current * factor, maximum)
        } else {
            base = initial
        }
        current = base
        lastFailure = now
        return min(base + base * (jitter * random), maximum)
    }
}
