import AssayCore
import Glibc
import Scoring

/// Which evaluation requests are parsed, decoded and scored on the thread that received them (an
/// HTTP event loop) instead of on the ``BoundedExecutor``: a small body whose criteria's work is
/// bounded by its size (``linearTypes``) or by one small budget (``budgetedTypes``). Such a
/// request costs tens of microseconds, less than the hop to a scoring thread and back (a futex
/// wake, an eventfd write and two thread switches), and its worst case is bounded by the body size
/// and ``budgetSteps``, so no request can hold an event loop for long.
///
/// `regex` and `jsonSchema` take their work from one budget of ``budgetSteps`` for the whole
/// request (``Criterion/evaluate(_:budget:)``: schema steps, and regex start positions at
/// ``RegexLimits/budgetedMatchLimit`` steps each, counted exactly, no clock read). When it runs
/// out, nothing is decided: the request goes to the executor and is scored from scratch under the
/// ordinary limits (up to 100 ms a match, 8 million schema steps), so its verdict is the one it
/// would have had, and its criteria are counted once, there.
///
/// Every other request hops as before: a larger body, `similarity` (its work grows with the
/// texts' product) or `llmJudge` (it calls a provider), a `target`, or more than ``maxSearches``
/// searches of the output. A request is scored inline only if the executor would admit it
/// (``BoundedExecutor/admitsNew``), so a full queue sheds small requests with 503 exactly as before.
enum InlineScoring {
    /// 2 KiB: the output and every criterion's values together, so the quadratic worst case of a
    /// substring search (`contains`: output length × value length) stays under a million byte
    /// comparisons, about a millisecond; the benchmark's 1 KB body fits. (Our choice.)
    static let maxBodyBytes = 2 * 1024

    /// Most passes over the output a request scored inline may make: one per criterion, and one
    /// per value of a `containsAll` or `containsAny`. Each pass is at most about 2 KiB of search,
    /// lowercasing, counting or an excerpt in its reason, so the worst body costs about what a
    /// hop would (bench/hostile, "small linear bodies"); without this cap 2 KiB holds 64
    /// criteria or 400 values, over 15 ms on the loop. The benchmark's linear body has 3. (Our choice.)
    static let maxSearches = 8

    /// Criterion types whose work is linear in the output and their own values (`contains` and
    /// its kin at worst output × value, bounded above), with no budget or time limit needed:
    /// `isJSON` parses the output once under ``JSONLimits``; `latency` and `cost` read numbers.
    static let linearTypes: Set<CriterionType> = [
        .equals, .contains, .notContains, .startsWith, .endsWith, .containsAll, .containsAny, .isJSON, .numeric,
        .length, .latency, .cost,
    ]

    /// Criterion types scored inline with their work taken from the request's budget.
    static let budgetedTypes: Set<CriterionType> = [.regex, .jsonSchema]

    /// The budget of one request scored inline: 16,384 steps are about 0.5 to 1 ms of schema
    /// validation at 30 to 60 ns a step, or 2,048 start positions of a regex at 128 JIT steps
    /// each (every position of a 2 KiB output), the same order as the worst linear body
    /// (``maxSearches``). The benchmark's body (a `regex` and a `jsonSchema` with a `pattern`)
    /// takes well under 1,000 (the tests hold each such criterion under 1,000). (Our choice.)
    static let budgetSteps = 16_384

    /// Words whose presence anywhere in a body rules it out before parsing: the types outside
    /// ``linearTypes`` and ``budgetedTypes``, and `target`. Parsing a body that then hops would move its parse to the
    /// event loop and its tree's frees to another thread, which costs more than the hop saves.
    /// (A false alarm, such as an output that mentions "regex", only means the usual hop.)
    static let disqualifyingWords: [[UInt8]] = [
        #""similarity""#, #""llmJudge""#, #""target""#,
    ].map { Array($0.utf8) }

    /// Whether `body` is worth parsing here: small, and none of ``disqualifyingWords`` in it (each
    /// begins with a quote, so only the places after a quote are compared).
    static func mayQualify(_ body: [UInt8]) -> Bool {
        guard body.count <= maxBodyBytes else { return false }
        return body.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return true }
            var offset = 0
            while let found = memchr(base + offset, 0x22, bytes.count - offset) {
                let start = found - UnsafeMutableRawPointer(mutating: base)
                for word in disqualifyingWords where start + word.count <= bytes.count {
                    if memcmp(found, word, word.count) == 0 { return false }
                }
                offset = start + 1
                if offset >= bytes.count { break }
            }
            return true
        }
    }

    /// Whether a parsed `/v1/evaluate` body may be scored inline: no `target`, every criterion
    /// of a linear or budgeted type, and at most ``maxSearches`` passes over the output (anything
    /// malformed goes the usual way, where decoding names the field).
    static func qualifies(_ body: JSONValue) -> Bool {
        guard case .object(let fields) = body, fields["target"] == nil,
            case .array(let criteria)? = fields["criteria"], !criteria.isEmpty, criteria.count <= maxSearches
        else { return false }
        var searches = 0
        for criterion in criteria {
            guard case .object(let object) = criterion, case .string(let name)? = object["type"],
                let type = CriterionType(rawValue: name), linearTypes.contains(type) || budgetedTypes.contains(type)
            else { return false }
            if case .array(let values)? = object["values"] { searches += values.count } else { searches += 1 }
            if searches > maxSearches { return false }
        }
        return true
    }
}
