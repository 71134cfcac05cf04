import AssayCore

/// ROUGE-L F-measure as Google's `rouge-score` package computes it with its default tokenizer
/// and no stemming: texts are lowercased and split into runs of `a`–`z` and `0`–`9` (every other
/// character separates tokens), and F is the harmonic mean of LCS/candidate length and
/// LCS/reference length; 0 when either side has no tokens.
package enum RougeL {
    /// The longest common subsequence is computed 64 reference positions at a time (bit-parallel),
    /// costing (longer length) × (shorter length / 64) word operations; 50 million is about
    /// 50 ms on one core, and covers a 1 MB output (~200,000 tokens) against a 16,000-token
    /// reference.
    package static let maxWordOperations = 50_000_000

    package enum Failure: Error, Equatable {
        case tooLong(candidateTokens: Int, referenceTokens: Int)
    }

    package static func score(candidate: String, reference: String) throws(Failure) -> Double {
        var budget = WorkBudget(steps: maxWordOperations)
        do {
            return try score(candidate: candidate, reference: reference, budget: &budget)
        } catch {
            throw .tooLong(candidateTokens: tokens(candidate).count, referenceTokens: tokens(reference).count)
        }
    }

    /// Work: one ``WorkBudget`` step per token and per word operation of the LCS; when the LCS
    /// would need more than the budget has left, it is refused before it starts.
    package static func score(candidate: String, reference: String, budget: inout WorkBudget)
        throws(WorkBudget.Exhaustion) -> Double
    {
        let predicted = tokens(candidate)
        let target = tokens(reference)
        guard budget.spend(predicted.count + target.count) else { throw budget.exhaustion! }
        guard !predicted.isEmpty, !target.isEmpty else { return 0 }
        let shorter = min(predicted.count, target.count)
        let longer = max(predicted.count, target.count)
        guard budget.allows(longer * ((shorter + 63) / 64)) else {
            budget.exhaust()
            throw budget.exhaustion!
        }
        let lcs = Double(try LongestCommonSubsequence.length(predicted, target, budget: &budget))
        let precision = lcs / Double(predicted.count)
        let recall = lcs / Double(target.count)
        return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    }

    package static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in PythonText.lowercased(text) {
            let v = scalar.value
            if v &- 0x61 < 26 || v &- 0x30 < 10 {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }
}

/// Length of the longest common subsequence of two token sequences, by the bit-parallel
/// algorithm (Allison–Dix, in Hyyrö's formulation): one bit per position of the shorter
/// sequence, updated with word-wide additions for each token of the longer one.
package enum LongestCommonSubsequence {
    package static func length(_ a: [String], _ b: [String]) -> Int {
        var budget = WorkBudget.unlimited()
        return (try? length(a, b, budget: &budget)) ?? 0
    }

    /// Takes one ``WorkBudget`` step per word operation.
    package static func length(_ a: [String], _ b: [String], budget: inout WorkBudget) throws(WorkBudget.Exhaustion)
        -> Int
    {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard !short.isEmpty else { return 0 }
        let words = (short.count + 63) / 64
        // Match masks: for each token of `short`, the positions where it occurs.
        var masks: [String: [UInt64]] = [:]
        for (i, token) in short.enumerated() {
            masks[token, default: [UInt64](repeating: 0, count: words)][i / 64] |= 1 << UInt64(i % 64)
        }
        var v = [UInt64](repeating: ~0, count: words)
        for token in long {
            guard let mask = masks[token] else { continue }
            guard budget.spend(words) else { throw budget.exhaustion! }
            // V' = (V + (V & M)) | (V & ~M), with the carry running across words.
            var carry: UInt64 = 0
            for w in 0..<words {
                let u = v[w] & mask[w]
                let (sum1, overflow1) = v[w].addingReportingOverflow(u)
                let (sum2, overflow2) = sum1.addingReportingOverflow(carry)
                carry = (overflow1 || overflow2) ? 1 : 0
                v[w] = sum2 | (v[w] & ~mask[w])
            }
        }
        // Zero bits among the used positions count the LCS.
        var zeros = 0
        for w in 0..<words {
            let used = w == words - 1 && short.count % 64 != 0 ? (UInt64(1) << UInt64(short.count % 64)) - 1 : ~0
            zeros += (~v[w] & used).nonzeroBitCount
        }
        return zeros
    }
}
