import Glibc
import Testing

@testable import AssayCore
@testable import Scoring

/// Matches whose work comes from a caller's small ``WorkBudget`` (scoring on an event loop):
/// ordinary patterns answer as they do under the ordinary limits, and hostile ones give up within
/// the budget instead of running for the ordinary 100 ms.
@Suite("BoundedRegex on a budget")
struct BoundedRegexBudgetTests {
    /// The CPU time this thread has used, in seconds: steady under a loaded machine, unlike the wall clock.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static let report = """
        {"title": "Evaluation report", "sections": [{"heading": "Overview", "body": "The service answers \
        in constant time: 1 MB bodies are parsed once."}], "conclusion": "Conclusion: verified 2026", \
        "contact": "ops@example.com", "phone": "555-0142", "id": "5f0c2a9e-1b7d-4c55-9d0e-3a2b1c0d9e8f"}
        """

    static let ordinary: [String] = [
        "[Cc]onclusion: [a-z]+ [0-9]{4}", "^Conclusion: ", "^\\{", "\\}$", "(?i)VERIFIED", "\\b\\d{3}-\\d{4}\\b",
        "[\\w.+-]+@[\\w-]+\\.[a-z]{2,}", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "\"title\":\\s*\"[^\"]+\"", "error|warning|failed", "(?m)^\\s*$", "\\p{Lu}\\w+ report", "x{3}",
    ]

    @Test("ordinary patterns find the same match under a small budget and spend a little of it", arguments: ordinary)
    func ordinaryPatternsMatchAlike(pattern: String) throws {
        let regex = try BoundedRegex(pattern: pattern)
        var budget = WorkBudget(steps: 16_384)
        let budgeted = try regex.byteRange(in: Self.report, budget: &budget)
        #expect(budgeted == (try regex.byteRange(in: Self.report)))
        #expect(!budget.isExhausted)
        #expect(budget.used > 0 && budget.used <= 4_000, "spent \(budget.used) steps")
    }

    /// Subjects of at most 2 KiB (a body scored inline) that the ordinary limits stop only after
    /// millions of steps or 100 ms.
    static let hostile: [(pattern: String, subject: String)] = [
        ("(a+)+$", String(repeating: "a", count: 2_000) + "!"),
        ("(a+)+$", String(repeating: "aaaaaaaaaaaaaaaa!", count: 120)),
        ("(a|aa)+$", String(repeating: "a", count: 2_000) + "!"),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 400) + "!"),
        ("(x+x+)+y", String(repeating: "x", count: 2_000) + "!y"),
    ]

    @Test(
        "hostile patterns exhaust a small budget within it, in far less CPU than the ordinary limits allow",
        arguments: hostile)
    func hostilePatternsStopWithinTheBudget(pattern: String, subject: String) throws {
        let regex = try BoundedRegex(pattern: pattern)
        var budget = WorkBudget(steps: 16_384)
        let start = Self.threadCPUSeconds()
        #expect(throws: RegexError.limitExceeded) { try regex.byteRange(in: subject, budget: &budget) }
        let spent = Self.threadCPUSeconds() - start
        #expect(budget.isExhausted)
        #expect(budget.exhaustion == .steps(limit: 16_384))
        // The ordinary limits give such a match up to 100 ms of CPU; this takes well under 1 ms alone, and
        // the bound leaves room for a loaded machine and instrumented builds.
        #expect(spent < 0.03, "took \(spent * 1000) ms of CPU")
        // Ordinary matching still reaches its own verdict: no match, or the limit error where its
        // steps or its 100 ms run out first (the time limit makes which one depend on the machine).
        switch Result(catching: { () throws(RegexError) in try regex.byteRange(in: subject) }) {
        case .success(let range): #expect(range == nil)
        case .failure(let error): #expect(error == .limitExceeded)
        }
    }

    @Test("each start position costs its steps, so many moderately costly positions run out of budget exactly")
    func positionsAreCounted() throws {
        // About 60 backtracking steps at each of 2,000 positions: within the per-position limit.
        let regex = try BoundedRegex(pattern: "(\\w{1,30})\\d")
        let subject = String(repeating: "a", count: 2_000)
        let perPosition = RegexLimits.budgetedStepsPerPosition
        var small = WorkBudget(steps: 100 * perPosition + 1 + subject.utf8.count / 64)
        #expect(throws: RegexError.limitExceeded) { try regex.byteRange(in: subject, budget: &small) }
        #expect(small.isExhausted)
        var ample = WorkBudget(steps: 2_001 * perPosition + 1 + subject.utf8.count / 64)
        #expect(try regex.byteRange(in: subject, budget: &ample) == nil)
        #expect(!ample.isExhausted)
        #expect(ample.used > 1_000 * perPosition)
    }

    @Test("a pattern the JIT does not run exhausts the budget at once instead of matching in the interpreter")
    func interpretedPatternsAreRefused() throws {
        let regex = try BoundedRegex(pattern: "(*NO_JIT)abc")
        var budget = WorkBudget(steps: 16_384)
        #expect(throws: RegexError.limitExceeded) { try regex.byteRange(in: "xxabc", budget: &budget) }
        #expect(budget.isExhausted)
        #expect(try regex.matches("xxabc"))
    }

    @Test("an exhausted budget stays exhausted, and a cancelled one stops the match")
    func exhaustedOrCancelled() throws {
        let regex = try BoundedRegex(pattern: "abc")
        var spent = WorkBudget(steps: 16)
        spent.exhaust()
        #expect(throws: RegexError.limitExceeded) { try regex.byteRange(in: "abc", budget: &spent) }
        let cancellation = WorkCancellation(deadline: .now + .seconds(60))
        cancellation.cancel(.clientGone)
        var cancelled = WorkBudget(steps: 16_384, cancellation: cancellation)
        #expect(throws: RegexError.limitExceeded) { try regex.byteRange(in: "abc", budget: &cancelled) }
        #expect(cancelled.exhaustion == .cancelled(.clientGone))
    }
}
