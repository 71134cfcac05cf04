import AssayCore

/// Token-overlap F1 exactly as the SQuAD v1.1 evaluation script computes it.
///
/// Both texts are normalised — lowercased, ASCII punctuation removed, the articles `a`, `an`
/// and `the` removed where they are whole words, split on whitespace — and F1 is taken over the
/// multiset of tokens they share. It is 0 when nothing is shared, including when either side
/// has no tokens.
///
/// Work: one ``WorkBudget`` step per token of either text.
package enum TokenF1 {
    package static func score(candidate: String, reference: String) -> Double {
        var budget = WorkBudget.unlimited()
        return (try? score(candidate: candidate, reference: reference, budget: &budget)) ?? 0
    }

    package static func score(candidate: String, reference: String, budget: inout WorkBudget)
        throws(WorkBudget.Exhaustion) -> Double
    {
        let predicted = normalizedTokens(candidate)
        let expected = normalizedTokens(reference)
        guard budget.spend(predicted.count), budget.spend(expected.count) else { throw budget.exhaustion! }
        var remaining: [String: Int] = [:]
        for token in expected { remaining[token, default: 0] += 1 }
        var shared = 0
        for token in predicted {
            if let count = remaining[token], count > 0 {
                remaining[token] = count - 1
                shared += 1
            }
        }
        guard shared > 0 else { return 0 }
        let precision = 1.0 * Double(shared) / Double(predicted.count)
        let recall = 1.0 * Double(shared) / Double(expected.count)
        return (2 * precision * recall) / (precision + recall)
    }

    /// The characters of Python's `string.punctuation`.
    private static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    private static let articles: Set<String> = ["a", "an", "the"]

    package static func normalizedTokens(_ text: String) -> [String] {
        let letters = PythonText.lowercased(text).filter { !isASCIIPunctuation($0) }
        // `\b(a|an|the)\b` matches exactly the maximal runs of word characters that are
        // articles; each becomes a space.
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(letters.count)
        var i = 0
        while i < letters.count {
            guard PythonText.isWord(letters[i]) else {
                out.append(letters[i])
                i += 1
                continue
            }
            var end = i
            while end < letters.count, PythonText.isWord(letters[end]) { end += 1 }
            let word = letters[i..<end]
            if word.count <= 3, articles.contains(String(String.UnicodeScalarView(word))) {
                out.append(" ")
            } else {
                out.append(contentsOf: word)
            }
            i = end
        }
        return PythonText.split(out)
    }
}
