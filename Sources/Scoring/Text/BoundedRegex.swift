import AssayCore
import CPCRE2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A compiled PCRE2 pattern whose matches do bounded work.
///
/// Matching is unanchored, in UTF mode with Unicode properties (`\w`, `\d`, `\b` and case
/// folding follow Unicode), and JIT-compiled when the library supports it. One instance may be
/// used from many threads at once: the compiled code and the shared match context are only read
/// after `init`, and every match allocates its own match data and context copy.
///
/// To enforce ``RegexLimits/timeLimit``, the pattern is compiled once as written (which is what
/// validates it and reports errors) and then run as `(?C255)(?:pattern\E)`: a callout before
/// each start position checks the clock. Start-of-pattern items such as `(*UTF)` stay in front,
/// and `\E` closes a `\Q` left open, so the two behave the same.
public final class BoundedRegex: Sendable {
    public let pattern: String
    public let caseInsensitive: Bool
    public let limits: RegexLimits

    // Owned C objects, freed in deinit. They are written only in init and read-only afterwards,
    // which PCRE2 documents as safe to share between threads.
    private nonisolated(unsafe) let code: OpaquePointer
    private nonisolated(unsafe) let matchContext: OpaquePointer
    /// Whether a budgeted match can count its start positions: the pattern runs JIT-compiled (the
    /// interpreter's steps cost several times as much) and in its timed form (with the callout).
    private let countsPositions: Bool

    /// The JIT's initial stack when a match outgrows PCRE2's default 32 KiB machine-stack block.
    private static let jitStackStartBytes = 32 * 1024
    /// What our callout returns to abandon a match that ran out of time; PCRE2 passes it through.
    private static let outOfTime: Int32 = -10_000
    /// What our callout returns to abandon a budgeted match whose budget is spent.
    private static let outOfBudget: Int32 = -10_001
    /// Start positions between two clock readings: reading the clock costs more than trying a
    /// typical position, and a few positions cost at most a few match limits' worth of time.
    private static let calloutsPerClockCheck = 16

    public init(pattern: String, caseInsensitive: Bool = false, limits: RegexLimits = .default) throws(RegexError) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        self.limits = limits

        // \C could match half a UTF-8 sequence and break the String.Index conversion.
        var options = UInt32(PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | PCRE2_NO_UTF_CHECK)
        if caseInsensitive { options |= UInt32(PCRE2_CASELESS) }

        let validated: OpaquePointer
        switch Self.compile(pattern, options) {
        case .success(let compiled): validated = compiled
        case .failure(let error):
            throw .invalidPattern(
                offset: Self.scalarOffset(ofByte: error.offset, in: pattern), message: Self.message(for: error.code))
        }
        // The timed form; a newline ends an extended-mode `#` comment that would swallow the
        // closing `\E)`. Should neither compile, the pattern runs untimed as written.
        var compiled = validated
        var isTimed = false
        for suffix in ["\\E)", "\n\\E)"] {
            if case .success(let timed) = Self.compile(Self.timed(pattern, suffix: suffix), options) {
                pcre2_code_free_8(validated)
                compiled = timed
                isTimed = true
                break
            }
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw .failed("out of memory creating a match context")
        }
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
        // A failed JIT compile (no JIT on this platform, or out of executable memory) leaves the
        // pattern usable by the interpreter, which pcre2_match falls back to by itself.
        _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))
        self.code = compiled
        self.matchContext = context
        var jitSize = 0
        countsPositions =
            isTimed && pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_JITSIZE), &jitSize) == 0 && jitSize > 0
    }

    deinit {
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
    }

    private struct CompileFailure: Error {
        var code: Int32
        var offset: Int
    }

    private static func compile(_ pattern: String, _ options: UInt32) -> Result<OpaquePointer, CompileFailure> {
        var errorCode: Int32 = 0
        var errorOffset = 0
        var patternBytes = pattern
        let compiled = patternBytes.withUTF8 { bytes in
            pcre2_compile_8(
                bytes.baseAddress ?? Self.empty.utf8Start, bytes.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else { return .failure(CompileFailure(code: errorCode, offset: errorOffset)) }
        return .success(compiled)
    }

    /// `pattern` with a callout before every start position: leading `(*VERB)` items, which
    /// PCRE2 only accepts at the very start, then `(?C255)(?:`, the rest, and `suffix`.
    static func timed(_ pattern: String, suffix: String) -> String {
        var rest = Substring(pattern)
        var lead = ""
        while rest.hasPrefix("(*"), let close = rest.firstIndex(of: ")") {
            let item = rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
            let name = item.prefix { $0 == "_" || ("A"..."Z").contains($0) }
            let value = item.dropFirst(name.count)
            let digits = value.dropFirst()
            guard !name.isEmpty,
                value.isEmpty
                    || (value.first == "=" && !digits.isEmpty && digits.allSatisfy(\.isASCII)
                        && digits.allSatisfy(\.isWholeNumber))
            else { break }
            lead += rest[...close]
            rest = rest[rest.index(after: close)...]
        }
        return lead + "(?C255)(?:" + rest + suffix
    }

    /// Whether the pattern was JIT-compiled (otherwise the interpreter runs it).
    public var isJITCompiled: Bool {
        var size = 0
        return pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_JITSIZE), &size) == 0 && size > 0
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) throws(RegexError) -> Bool {
        try byteRange(in: text) != nil
    }

    /// The first (leftmost) match in `text`, or `nil` when there is none.
    public func firstMatch(in text: String) throws(RegexError) -> Range<String.Index>? {
        guard let bytes = try byteRange(in: text) else { return nil }
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: bytes.lowerBound)
        let upper = utf8.index(lower, offsetBy: bytes.count)
        return lower..<upper
    }

    /// The first match as UTF-8 byte offsets into `text`.
    public func byteRange(in text: String) throws(RegexError) -> Range<Int>? {
        var text = text
        // withUTF8 rethrows untyped errors, so the outcome travels out as a value.
        let outcome = text.withUTF8 { run(on: $0) }
        switch outcome {
        case .matched(let range): return range
        case .noMatch: return nil
        case .error(let code): throw Self.error(for: code)
        }
    }

    /// The first match as UTF-8 byte offsets into `text`, its work taken from `budget` instead of
    /// bounded by ``limits``: at most ``RegexLimits/budgetedMatchLimit`` backtracking steps at each
    /// start position, each position tried costing ``RegexLimits/budgetedStepsPerPosition`` steps,
    /// and no clock read. So the match stops within the budget, exactly, whatever the pattern.
    ///
    /// A match that runs out (of its budget, or of its per-position limit), or that cannot count
    /// its positions (a pattern the JIT did not compile), exhausts `budget` and throws
    /// ``RegexError/limitExceeded`` without deciding anything: the caller matches again with the
    /// ordinary limits where a longer match does no harm.
    public func byteRange(in text: String, budget: inout WorkBudget) throws(RegexError) -> Range<Int>? {
        let perPosition = RegexLimits.budgetedStepsPerPosition
        guard countsPositions, budget.spend(1 + text.utf8.count / 64) else {
            budget.exhaust()
            throw .limitExceeded
        }
        var text = text
        var positions = 0
        let affordable = (budget.limit - budget.used) / perPosition
        let outcome = text.withUTF8 { run(on: $0, positions: &positions, affordable: affordable) }
        guard budget.spend(min(positions, affordable) * perPosition) else { throw .limitExceeded }
        switch outcome {
        case .matched(let range): return range
        case .noMatch: return nil
        case .error(let code):
            let error = Self.error(for: code)
            if error == .limitExceeded { budget.exhaust() }
            throw error
        }
    }

    private enum Outcome {
        case matched(Range<Int>)
        case noMatch
        case error(Int32)
    }

    /// What the callout reads and updates during one match.
    private struct Deadline {
        let end: UInt64
        var callouts = 0
        /// Start positions a budgeted match may try (it reads no clock); `Int.max` otherwise.
        var maxCallouts = Int.max

        /// A deadline `limit` from now; none (the end of time) for `nil`.
        init(after limit: Duration?) {
            guard let limit else {
                end = .max
                return
            }
            let (seconds, attoseconds) = limit.components
            end = Self.now() &+ UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
        }

        /// Monotonic nanoseconds. On Linux the coarse clock: a few nanoseconds per reading instead
        /// of tens, and its resolution (a few milliseconds) is plenty for a limit of 100 ms.
        static func now() -> UInt64 {
            #if os(Linux)
                var time = timespec()
                clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
                return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
            #else
                return clock_gettime_nsec_np(CLOCK_UPTIME_RAW)
            #endif
        }
    }

    private func run(on subject: UnsafeBufferPointer<UInt8>) -> Outcome {
        var callouts = 0
        return run(on: subject, positions: &callouts, affordable: nil)
    }

    /// One match: under ``limits`` when `affordable` is `nil`, else budgeted (at most `affordable`
    /// start positions, ``RegexLimits/budgetedMatchLimit`` steps each); `positions` says how many
    /// it tried.
    private func run(on subject: UnsafeBufferPointer<UInt8>, positions: inout Int, affordable: Int?) -> Outcome {
        guard let matchData = pcre2_match_data_create_8(1, nil) else { return .error(PCRE2_ERROR_NOMEMORY) }
        defer { pcre2_match_data_free_8(matchData) }
        // The shared context carries the limits; each match needs its own copy to point the
        // callout at its own deadline (and, when retried, at its own JIT stack).
        guard let context = pcre2_match_context_copy_8(matchContext) else { return .error(PCRE2_ERROR_NOMEMORY) }
        defer { pcre2_match_context_free_8(context) }
        var deadline = Deadline(after: affordable == nil ? limits.timeLimit : nil)
        if let affordable {
            deadline.maxCallouts = affordable
            pcre2_set_match_limit_8(context, RegexLimits.budgetedMatchLimit)
        }
        let rc = withUnsafeMutablePointer(to: &deadline) { deadline in
            pcre2_set_callout_8(
                context,
                { _, data in
                    let deadline = data!.assumingMemoryBound(to: Deadline.self)
                    deadline.pointee.callouts &+= 1
                    guard deadline.pointee.callouts <= deadline.pointee.maxCallouts else {
                        return BoundedRegex.outOfBudget
                    }
                    guard deadline.pointee.callouts % BoundedRegex.calloutsPerClockCheck == 0 else { return 0 }
                    return Deadline.now() < deadline.pointee.end ? 0 : BoundedRegex.outOfTime
                }, deadline)
            return match(subject, matchData, context, budgeted: affordable != nil)
        }
        positions = deadline.callouts
        if rc == PCRE2_ERROR_NOMATCH { return .noMatch }
        if rc < 0 { return .error(rc) }
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        return .matched(ovector[0]..<ovector[1])
    }

    private func match(
        _ subject: UnsafeBufferPointer<UInt8>, _ matchData: OpaquePointer, _ context: OpaquePointer, budgeted: Bool
    ) -> Int32 {
        let base = subject.baseAddress ?? Self.empty.utf8Start
        // Swift strings are valid UTF-8, so PCRE2's own check (a full pass over the subject) is skipped.
        let options = UInt32(PCRE2_NO_UTF_CHECK)
        let rc = pcre2_match_8(code, base, subject.count, 0, options, matchData, context)
        // A budgeted match that outgrows the default stack is a deep one: it gives up instead.
        guard rc == PCRE2_ERROR_JIT_STACKLIMIT, !budgeted else { return rc }
        // Retry with a JIT stack that may grow up to the heap limit.
        let maxBytes = max(Self.jitStackStartBytes, Int(limits.heapLimitKiB) * 1024)
        guard let stack = pcre2_jit_stack_create_8(Self.jitStackStartBytes, maxBytes, nil) else {
            return PCRE2_ERROR_NOMEMORY
        }
        defer { pcre2_jit_stack_free_8(stack) }
        pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
        return pcre2_match_8(code, base, subject.count, 0, options, matchData, context)
    }

    private static func error(for code: Int32) -> RegexError {
        switch code {
        case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_JIT_STACKLIMIT,
            outOfTime, outOfBudget:
            .limitExceeded
        default:
            .failed(message(for: code))
        }
    }

    /// PCRE2's text for an error code (compile and match codes share one table).
    static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(code, $0.baseAddress, $0.count) }
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[..<Int(length)], as: UTF8.self)
    }

    /// PCRE2 reports compile errors as a byte offset; users count characters, so this counts the
    /// Unicode scalars that start before it (UTF-8 lead bytes, i.e. not 0b10xxxxxx).
    private static func scalarOffset(ofByte offset: Int, in pattern: String) -> Int {
        pattern.utf8.prefix(max(offset, 0)).reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
    }

    /// A non-null pointer for empty buffers: PCRE2 rejects a null pointer even with length 0.
    private static let empty: StaticString = ""
}
