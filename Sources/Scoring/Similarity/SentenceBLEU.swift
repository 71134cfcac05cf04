import AssayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sentence-level BLEU-4 as sacrebleu's `sentence_bleu` computes it with its defaults, scaled to
/// 0…1: the `13a` tokenizer (mteval-v13a), no lowercasing, one reference, brevity penalty,
/// `exp` smoothing (each n-gram order without matches gets precision 1/(2^k · total), k counting
/// such orders) and effective order (orders longer than the candidate are left out).
///
/// Work: one ``WorkBudget`` step per token and per n-gram counted (four per token), so the cost
/// is linear in the texts' lengths.
package enum SentenceBLEU {
    package static let maxOrder = 4

    package static func score(candidate: String, reference: String) -> Double {
        var budget = WorkBudget.unlimited()
        return (try? score(candidate: candidate, reference: reference, budget: &budget)) ?? 0
    }

    package static func score(candidate: String, reference: String, budget: inout WorkBudget)
        throws(WorkBudget.Exhaustion) -> Double
    {
        var vocabulary: [String: Int32] = [:]
        func ids(_ text: String, _ budget: inout WorkBudget) throws(WorkBudget.Exhaustion) -> [Int32] {
            let tokens = Tokenizer13a.tokens(text)
            guard budget.spend(tokens.count) else { throw budget.exhaustion! }
            return tokens.map { token in
                if let id = vocabulary[token] { return id }
                let id = Int32(vocabulary.count)
                vocabulary[token] = id
                return id
            }
        }
        let hypothesis = try ids(candidate, &budget)
        let references = try ids(reference, &budget)
        let referenceCounts = try ngramCounts(references, &budget)
        var correct = [Int](repeating: 0, count: maxOrder)
        var total = [Int](repeating: 0, count: maxOrder)
        for (ngram, count) in try ngramCounts(hypothesis, &budget) {
            total[ngram.order - 1] += count
            if let inReference = referenceCounts[ngram] { correct[ngram.order - 1] += min(count, inReference) }
        }
        return compute(
            correct: correct, total: total, candidateLength: hypothesis.count, referenceLength: references.count) / 100
    }

    /// sacrebleu's `BLEU.compute_bleu` with `exp` smoothing and effective order, on 0…100.
    package static func compute(correct: [Int], total: [Int], candidateLength: Int, referenceLength: Int) -> Double {
        let brevityPenalty: Double
        if candidateLength < referenceLength {
            brevityPenalty =
                candidateLength > 0 ? exp(1 - Double(referenceLength) / Double(candidateLength)) : 0
        } else {
            brevityPenalty = 1
        }
        guard correct.contains(where: { $0 != 0 }) else { return 0 }
        var precisions = [Double](repeating: 0, count: maxOrder)
        var smoothing = 1.0
        var effectiveOrder = maxOrder
        for n in 1...maxOrder {
            if total[n - 1] == 0 { break }
            effectiveOrder = n
            if correct[n - 1] == 0 {
                smoothing *= 2
                precisions[n - 1] = 100.0 / (smoothing * Double(total[n - 1]))
            } else {
                precisions[n - 1] = 100.0 * Double(correct[n - 1]) / Double(total[n - 1])
            }
        }
        // sacrebleu floors log(0) at -9999999999.
        let logSum = precisions[..<effectiveOrder].reduce(0.0) { $0 + ($1 == 0 ? -9_999_999_999 : log($1)) }
        return brevityPenalty * exp(logSum / Double(effectiveOrder))
    }

    private static func ngramCounts(_ tokens: [Int32], _ budget: inout WorkBudget) throws(WorkBudget.Exhaustion)
        -> [NGram: Int]
    {
        var counts: [NGram: Int] = [:]
        counts.reserveCapacity(tokens.count * 2)
        for n in 1...maxOrder where tokens.count >= n {
            for start in 0...(tokens.count - n) {
                guard budget.spend() else { throw budget.exhaustion! }
                counts[NGram(tokens, start: start, order: n), default: 0] += 1
            }
        }
        return counts
    }

    /// Up to ``maxOrder`` token ids inline: a dictionary key that costs no allocation, where an
    /// array per n-gram made counting a 4 MB text take seconds and a gigabyte.
    struct NGram: Hashable {
        let first: Int32
        let second: Int32
        let third: Int32
        let fourth: Int32
        let order: Int

        init(_ tokens: [Int32], start: Int, order: Int) {
            first = tokens[start]
            second = order > 1 ? tokens[start + 1] : -1
            third = order > 2 ? tokens[start + 2] : -1
            fourth = order > 3 ? tokens[start + 3] : -1
            self.order = order
        }
    }
}

/// The `13a` tokenizer of sacrebleu (the one of mteval-v13a.pl), applied to a whole text after
/// BLEU's right-strip: drops `<skipped>` and hyphen-newline, turns newlines into spaces,
/// unescapes `&quot; &amp; &lt; &gt;`, separates ASCII punctuation and symbols, separates `.`
/// and `,` except between digits, separates `-` after a digit, and splits on whitespace.
package enum Tokenizer13a {
    package static func tokens(_ text: String) -> [String] {
        var line = Array(text.unicodeScalars)
        while let last = line.last, PythonText.isSpace(last) { line.removeLast() }
        line = replacing(line, "<skipped>", "")
        line = replacing(line, "-\n", "")
        line = replacing(line, "\n", " ")
        if line.contains("&") {
            for (entity, character) in [("&quot;", "\""), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")] {
                line = replacing(line, entity, character)
            }
        }
        line = separatingSymbols(line)
        line = rewritePairs(line) { first, second in
            // ([^0-9])([\.,]) -> "\1 \2 "
            !isDigit(first) && isPeriodOrComma(second) ? [first, " ", second, " "] : nil
        }
        line = rewritePairs(line) { first, second in
            // ([\.,])([^0-9]) -> " \1 \2"
            isPeriodOrComma(first) && !isDigit(second) ? [" ", first, " ", second] : nil
        }
        line = rewritePairs(line) { first, second in
            // ([0-9])(-) -> "\1 \2 "
            isDigit(first) && second == "-" ? [first, " ", second, " "] : nil
        }
        return PythonText.split(line)
    }

    /// `" " + line + " "` with a space on each side of every ``isSeparatedSymbol(_:)``.
    private static func separatingSymbols(_ line: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = [" "]
        out.reserveCapacity(line.count + line.count / 4 + 2)
        for scalar in line {
            if isSeparatedSymbol(scalar) {
                out.append(" ")
                out.append(scalar)
                out.append(" ")
            } else {
                out.append(scalar)
            }
        }
        out.append(" ")
        return out
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value &- 0x30 < 10 }
    private static func isPeriodOrComma(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "," }

    /// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII symbols and punctuation except `'`, `,`, `-`, `.`.
    private static func isSeparatedSymbol(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: true
        default: false
        }
    }

    /// One left-to-right pass of a two-character `re.sub`: where `rewrite` returns a
    /// replacement, both characters are consumed; otherwise one is kept and the scan moves on.
    private static func rewritePairs(
        _ line: [Unicode.Scalar], _ rewrite: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]?
    ) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(line.count + line.count / 4)
        var i = 0
        while i < line.count {
            if i + 1 < line.count, let replacement = rewrite(line[i], line[i + 1]) {
                out.append(contentsOf: replacement)
                i += 2
            } else {
                out.append(line[i])
                i += 1
            }
        }
        return out
    }

    /// `str.replace(old, new)`: every non-overlapping occurrence, left to right.
    private static func replacing(_ line: [Unicode.Scalar], _ old: String, _ new: String) -> [Unicode.Scalar] {
        let pattern = Array(old.unicodeScalars)
        guard line.count >= pattern.count else { return line }
        let replacement = Array(new.unicodeScalars)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(line.count)
        var i = 0
        while i < line.count {
            if line[i] == pattern[0], i + pattern.count <= line.count,
                line[i..<(i + pattern.count)].elementsEqual(pattern)
            {
                out.append(contentsOf: replacement)
                i += pattern.count
            } else {
                out.append(line[i])
                i += 1
            }
        }
        return out
    }
}
