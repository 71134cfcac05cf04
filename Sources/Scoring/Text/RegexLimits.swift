import AssayCore

/// How much work one match may do before it is abandoned with ``RegexError/limitExceeded``.
///
/// Patterns come from API callers, so a pattern with nested quantifiers (`(a+)+$`) must not be
/// able to stall a worker. PCRE2 counts backtracking and gives up at these limits, but it counts
/// afresh at every start position, so a subject that repeats a moderately bad fragment (`(a+)+$`
/// against 60,000 copies of `aaaaaaaaaaaaaaaa!`) could still take minutes; ``timeLimit`` bounds
/// the whole match. The JIT honours ``matchLimit`` only; the interpreter (used when the JIT is
/// unavailable or the pattern says `(*NO_JIT)`) honours all three PCRE2 limits.
/// ``heapLimitKiB`` also caps the JIT stack a match may grow into when the default 32 KiB one
/// is too small.
public struct RegexLimits: Sendable, Hashable {
    /// Backtracking steps per match attempt (PCRE2's `match_limit`).
    public var matchLimit: UInt32
    /// Nesting of backtracking points in the interpreter (PCRE2's `depth_limit`).
    public var depthLimit: UInt32
    /// Memory for backtracking, in KiB: the interpreter's heap frames and the JIT stack.
    public var heapLimitKiB: UInt32

    /// Wall-clock time for one whole match, checked between start positions.
    public var timeLimit: Duration

    public init(
        matchLimit: UInt32 = defaultMatchLimit, depthLimit: UInt32 = defaultDepthLimit,
        heapLimitKiB: UInt32 = defaultHeapLimitKiB, timeLimit: Duration = defaultTimeLimit
    ) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.heapLimitKiB = heapLimitKiB
        self.timeLimit = timeLimit
    }

    /// Four steps per byte of a 1 MB output: a pattern that backtracks over the whole output once
    /// (`(?s).*foo` costs about one step per byte) still finishes, while a catastrophic pattern
    /// gives up after a few milliseconds of JIT time (PCRE2's built-in default is 10,000,000).
    ///
    /// PCRE2 applies the limit to each start position separately, so a subject that repeats a
    /// moderately bad fragment many times can still take longer than one limit's worth of work.
    public static let defaultMatchLimit: UInt32 = 4_000_000
    /// Backtracking nesting in the interpreter: two per byte of a 1 MB output, so `(a|b)*` can walk
    /// all of it; PCRE2's built-in default (10,000,000) is effectively unbounded.
    public static let defaultDepthLimit: UInt32 = 2_000_000
    /// 64 MiB: PCRE2's built-in default is 20 GB. Two cores run at most a few matches at once, so
    /// the worst case stays well inside a pod's memory limit.
    public static let defaultHeapLimitKiB: UInt32 = 64 * 1024

    /// 100 ms: ten times what a linear pattern needs to scan a 1 MB output, yet short enough that
    /// a hostile pattern costs one slow request rather than a stalled worker.
    public static let defaultTimeLimit = Duration.milliseconds(100)

    public static let `default` = RegexLimits()

    /// Backtracking steps per start position of a match that takes its work from a caller's small
    /// ``WorkBudget`` (``BoundedRegex/byteRange(in:budget:)``, scoring on an event loop): a
    /// pattern that matches or moves on within a few dozen steps at each position (literals,
    /// classes, bounded repeats, a word or a line's worth of `\w+`) fits; one that needs more
    /// gives up at once and is matched again elsewhere under the ``default`` limits. (Our choice.)
    public static let budgetedMatchLimit: UInt32 = 128

    /// Budget steps each start position of such a match costs, whatever it used: its
    /// ``budgetedMatchLimit`` JIT steps take at most about as long as 8 schema steps (30 to 60 ns
    /// each, ``JSONSchema/defaultMaxSteps``), so one budget bounds both kinds of work.
    public static let budgetedStepsPerPosition = 8
}

/// Why a pattern could not be compiled or a match could not finish.
public enum RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pattern does not compile. `offset` counts Unicode scalars (characters, for ASCII) from
    /// the start of the pattern to where PCRE2 noticed the problem.
    case invalidPattern(offset: Int, message: String)
    /// The match needed more backtracking, memory or time than ``RegexLimits`` allows.
    case limitExceeded
    /// PCRE2 reported another error while matching.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidPattern(let offset, let message):
            "invalid regular expression at offset \(offset): \(message)"
        case .limitExceeded:
            "the regular expression needed more backtracking or time than allowed; "
                + "avoid nested quantifiers such as (a+)+ or overlapping alternatives such as (a|aa)+"
        case .failed(let message):
            "regular expression matching failed: \(message)"
        }
    }
}
