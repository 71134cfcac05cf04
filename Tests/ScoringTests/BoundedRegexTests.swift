import Testing

@testable import AssayCore
@testable import Scoring

@Suite("BoundedRegex")
struct BoundedRegexTests {
    /// Nested or overlapping quantifiers that backtrack exponentially when the subject almost
    /// matches. Each subject contains the pattern's last literal (`y`) so that PCRE2's
    /// required-character check cannot reject it without backtracking.
    static let catastrophic: [(pattern: String, subject: String)] = [
        ("(a+)+$", String(repeating: "a", count: 30) + "!"),
        ("(a|aa)+$", String(repeating: "a", count: 100) + "!"),
        ("(x+x+)+y", String(repeating: "x", count: 50) + "!y"),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 20) + "!"),
        ("(*NO_JIT)(a+)+$", String(repeating: "a", count: 30) + "!"),
        ("(*NO_JIT)(x+x+)+y", String(repeating: "x", count: 60) + "!y"),
    ]

    @Test("catastrophic patterns stop at the limit quickly instead of hanging", arguments: catastrophic)
    func catastrophicPatternsStop(pattern: String, subject: String) throws {
        let regex = try BoundedRegex(pattern: pattern)
        let start = ContinuousClock.now
        #expect(throws: RegexError.limitExceeded) { try regex.matches(subject) }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    /// PCRE2's limits apply per start position; these subjects make every position moderately
    /// expensive, so only the time limit stops them (without it they run for tens of seconds).
    static let repeatedFragments: [(pattern: String, subject: String)] = [
        ("(a+)+$", String(repeating: String(repeating: "a", count: 16) + "!", count: 60_000)),
        ("(?x) (a+)+ $  # extended mode, comment to the end", String(repeating: "aaaaaaaaaaaaaaaa!", count: 60_000)),
        ("(*NO_JIT)(a|aa)+$", String(repeating: String(repeating: "a", count: 14) + "!", count: 60_000)),
    ]

    @Test("many moderately expensive start positions stop at the time limit", arguments: repeatedFragments)
    func timeLimitStopsRepeatedFragments(pattern: String, subject: String) throws {
        let regex = try BoundedRegex(pattern: pattern)
        let start = ContinuousClock.now
        #expect(throws: RegexError.limitExceeded) { try regex.matches(subject) }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    /// The timed form wraps the pattern; these patterns exercise what the wrapping must keep:
    /// start-of-pattern items, top-level alternation, an unterminated `\Q`, extended-mode comments.
    static let wrappedSemantics: [(pattern: String, subject: String, match: String?)] = [
        ("(*UTF)(*LIMIT_MATCH=100000)b|c", "abc", "b"),
        ("(*NOTEMPTY)x*", "aaxx", "xx"),
        ("(*CRLF)(?m)^b$", "a\r\nb\r\n", "b"),
        ("x|y", "zzy", "y"),
        ("\\Qa.b", "a.b axb", "a.b"),
        ("\\Qa)", "a)", "a)"),
        ("(?x) a b # trailing comment", "xab", "ab"),
        ("(?<name>o)\\k<name>", "foo", "oo"),
        ("(\\w)\\1", "abba", "bb"),
        ("\\((?:[^()]|(?R))*\\)", "x(a(b)c)y", "(a(b)c)"),
    ]

    @Test("running the pattern in its timed form keeps its meaning", arguments: wrappedSemantics)
    func wrappedPatternSemantics(pattern: String, subject: String, match: String?) throws {
        let regex = try BoundedRegex(pattern: pattern)
        #expect(try regex.firstMatch(in: subject).map { String(subject[$0]) } == match)
    }

    @Test("leading start-of-pattern items stay in front of the callout")
    func timedForm() {
        #expect(
            BoundedRegex.timed("(*UTF)(*LIMIT_MATCH=10)a|b", suffix: "\\E)")
                == "(*UTF)(*LIMIT_MATCH=10)(?C255)(?:a|b\\E)")
        #expect(BoundedRegex.timed("(*MARK:x)a", suffix: ")") == "(?C255)(?:(*MARK:x)a)")
    }

    /// Linear patterns over a 1 MB output must stay under the default limits, including the JIT
    /// stack growth (`(a|b)*` needs far more than PCRE2's default 32 KiB JIT stack).
    static let megabyteScans: [(pattern: String, subject: String, matches: Bool)] = [
        ("(?s).*needle", String(repeating: "lorem ipsum\n", count: 90_000) + "needle", true),
        ("^(?:a|b)*$", String(repeating: "ab", count: 500_000), true),
        ("\\d{3}-\\d{4}", String(repeating: "call me maybe\n", count: 75_000), false),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 200_000), true),
    ]

    @Test("linear patterns scan a 1 MB subject within the default limits", arguments: megabyteScans)
    func megabyteScansFinish(pattern: String, subject: String, matches: Bool) throws {
        #expect(try BoundedRegex(pattern: pattern).matches(subject) == matches)
    }

    static let firstMatches: [(pattern: String, subject: String, match: String?)] = [
        ("b+", "aabbbcc", "bbb"),
        ("^abc$", "abc", "abc"),
        ("^abc$", "xabc", nil),
        ("", "", ""),
        ("x*", "abc", ""),
        ("\\d+(?:\\.\\d+)?", "pi is 3.14159!", "3.14159"),
        ("abc", "😀 abc", "abc"),
        ("\\w+", "¡naïve café!", "naïve"),
        ("(?m)^second$", "first\nsecond\nthird", "second"),
        ("\\bcafé\\b", "un café noir", "café"),
        (".", "é", "é"),
    ]

    @Test("finds the leftmost match as a String range", arguments: firstMatches)
    func firstMatch(pattern: String, subject: String, match: String?) throws {
        let regex = try BoundedRegex(pattern: pattern)
        let range = try regex.firstMatch(in: subject)
        #expect(range.map { String(subject[$0]) } == match)
        #expect(try regex.matches(subject) == (match != nil))
    }

    static let caseFolding: [(pattern: String, subject: String, caseInsensitive: Bool, matches: Bool)] = [
        ("hello", "Say HeLLo", true, true),
        ("hello", "Say HeLLo", false, false),
        ("ÉCOLE", "une école", true, true),
        ("ΣΟΦΙΑ", "σοφια", true, true),
        ("ΣΟΦΙΑ", "σοφια", false, false),
    ]

    @Test("caseInsensitive folds Unicode letters", arguments: caseFolding)
    func caseInsensitive(pattern: String, subject: String, caseInsensitive: Bool, matches: Bool) throws {
        let regex = try BoundedRegex(pattern: pattern, caseInsensitive: caseInsensitive)
        #expect(try regex.matches(subject) == matches)
    }

    static let invalidPatterns: [(pattern: String, offset: Int, message: String)] = [
        ("(abc", 4, "missing closing parenthesis"),
        ("a{2,1}", 5, "numbers out of order in {} quantifier"),
        ("[z-a]", 3, "range out of order in character class"),
        ("*", 0, "quantifier does not follow a repeatable item"),
        ("éé(", 3, "missing closing parenthesis"),
        ("a\\Cb", 3, "using \\C is disabled by the application"),
    ]

    @Test("invalid patterns report PCRE2's message and the offset in characters", arguments: invalidPatterns)
    func invalidPattern(pattern: String, offset: Int, message: String) {
        #expect(throws: RegexError.invalidPattern(offset: offset, message: message)) {
            try BoundedRegex(pattern: pattern)
        }
    }

    @Test("patterns are JIT-compiled where PCRE2 supports it")
    func jitCompiled() throws {
        #expect(try BoundedRegex(pattern: "a+b").isJITCompiled)
        #expect(try !BoundedRegex(pattern: "(*NO_JIT)a+b").isJITCompiled)
    }

    @Test("one regex serves concurrent matches")
    func concurrentMatches() async throws {
        let regex = try BoundedRegex(pattern: "needle-(\\d+)")
        let found = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let subject = String(repeating: "hay ", count: 1000 + i) + "needle-\(i)"
                    return (try? regex.firstMatch(in: subject)).flatMap { $0 }.map { subject[$0] == "needle-\(i)" }
                        ?? false
                }
            }
            return await group.reduce(into: 0) { count, ok in count += ok ? 1 : 0 }
        }
        #expect(found == 64)
    }

    @Test("limit errors tell the user what to change")
    func limitDescription() {
        #expect(RegexError.limitExceeded.description.contains("(a+)+"))
        #expect(
            RegexError.invalidPattern(offset: 4, message: "missing closing parenthesis").description
                == "invalid regular expression at offset 4: missing closing parenthesis")
    }
}

@Suite("RegexCache")
struct RegexCacheTests {
    @Test("returns the same compiled regex for the same pattern and flags")
    func reusesCompiledRegex() throws {
        let cache = RegexCache(capacity: 8)
        let first = try cache.regex(pattern: "a+b")
        #expect(try cache.regex(pattern: "a+b") === first)
        #expect(try cache.regex(pattern: "a+b", caseInsensitive: true) !== first)
        #expect(cache.count == 2)
    }

    @Test("does not cache invalid patterns")
    func invalidNotCached() {
        let cache = RegexCache(capacity: 8)
        #expect(throws: RegexError.self) { try cache.regex(pattern: "(") }
        #expect(cache.count == 0)
    }

    @Test("compiled regexes carry the cache's limits")
    func carriesLimits() throws {
        let limits = RegexLimits(matchLimit: 1000, depthLimit: 1000, heapLimitKiB: 1024)
        let cache = RegexCache(capacity: 8, limits: limits)
        #expect(try cache.regex(pattern: "x").limits == limits)
    }
}

@Suite("LRUCache")
struct LRUCacheTests {
    @Test("evicts the least recently used entry when full")
    func evictsLeastRecentlyUsed() {
        let cache = LRUCache<String, Int>(capacity: 2)
        cache.insert(1, forKey: "a")
        cache.insert(2, forKey: "b")
        #expect(cache.value(forKey: "a") == 1)  // "b" is now the oldest
        cache.insert(3, forKey: "c")
        #expect(cache.value(forKey: "b") == nil)
        #expect(cache.value(forKey: "a") == 1)
        #expect(cache.value(forKey: "c") == 3)
        #expect(cache.count == 2)
    }

    @Test("replacing a key does not evict another")
    func replaceKeepsOthers() {
        let cache = LRUCache<String, Int>(capacity: 2)
        cache.insert(1, forKey: "a")
        cache.insert(2, forKey: "b")
        cache.insert(10, forKey: "a")
        #expect(cache.value(forKey: "a") == 10)
        #expect(cache.value(forKey: "b") == 2)
    }
}
