import AssayCore

/// A `pattern` or `patternProperties` regular expression, compiled once with a bound on the
/// work one match may do, so that a user's schema cannot stall the evaluator with
/// catastrophic backtracking. Matches are unanchored, as JSON Schema specifies.
struct SchemaPattern: Sendable {
    let source: String
    let regex: BoundedRegex

    enum Outcome: Sendable {
        case match
        case noMatch
        /// The regex gave up: it exceeded its work limit or failed on this input.
        case undecided(String)
    }

    /// Why a pattern does not compile; the schema compiler adds where it is.
    struct CompileError: Error, Sendable {
        var message: String
    }

    init(_ source: String) throws(CompileError) {
        self.source = source
        do {
            regex = try BoundedRegex(pattern: Self.translatingPropertyNames(source))
        } catch {
            throw CompileError(message: Self.describe(error))
        }
    }

    func match(_ text: String) -> Outcome {
        do {
            return try regex.matches(text) ? .match : .noMatch
        } catch {
            return .undecided(Self.describe(error))
        }
    }

    /// The match with its work taken from `budget` (``BoundedRegex/byteRange(in:budget:)``):
    /// undecided, with `budget` exhausted, when it ran out.
    func match(_ text: String, budget: inout WorkBudget) -> Outcome {
        do {
            return try regex.byteRange(in: text, budget: &budget) != nil ? .match : .noMatch
        } catch {
            return .undecided(Self.describe(error))
        }
    }

    /// ECMA-262 spells Unicode general categories out (`\p{Letter}`, `\P{Decimal_Number}`);
    /// PCRE2 wants the short aliases (`\p{L}`, `\P{Nd}`). Other escapes pass through.
    static func translatingPropertyNames(_ pattern: String) -> String {
        guard pattern.contains("\\p{") || pattern.contains("\\P{") else { return pattern }
        var out = ""
        var rest = Substring(pattern)
        while let backslash = rest.firstIndex(of: "\\") {
            out += rest[..<backslash]
            rest = rest[backslash...]
            let escape = rest.dropFirst()
            guard let kind = escape.first else { break }
            if kind == "p" || kind == "P", escape.dropFirst().first == "{",
                let close = escape.firstIndex(of: "}")
            {
                let name = escape[escape.index(escape.startIndex, offsetBy: 2)..<close]
                let value = name.split(separator: "=", maxSplits: 1).last.map(String.init) ?? String(name)
                out += "\\\(kind){\(generalCategoryAliases[value] ?? value)}"
                rest = escape[escape.index(after: close)...]
            } else {
                out += rest.prefix(2)
                rest = rest.dropFirst(2)
            }
        }
        return out + rest
    }

    /// Unicode general category long names (UAX #44, PropertyValueAliases.txt) to the short
    /// aliases PCRE2 understands.
    static let generalCategoryAliases: [String: String] = [
        "Letter": "L", "Cased_Letter": "L&", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
        "Titlecase_Letter": "Lt", "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M",
        "Combining_Mark": "M", "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc", "Enclosing_Mark": "Me",
        "Number": "N", "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
        "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
        "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
        "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
        "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
        "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C",
        "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co",
        "Unassigned": "Cn",
    ]

    private static func describe(_ error: RegexError) -> String { error.description }
}
