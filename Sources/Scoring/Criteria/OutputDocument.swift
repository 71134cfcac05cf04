import AssayCore

/// The output read as JSON, parsed at most once per evaluation however many criteria read it
/// (`isJSON`, `jsonSchema`, several schemas on one output): the first criterion that asks parses,
/// the others get the same value. Shared by every copy of an ``EvaluationContext``. The parse is a
/// ``JSONTape`` (flat, strings left in the output and decoded only where a keyword needs the text):
/// what a schema reads of a megabyte output is a few of its strings.
///
/// A parse is kept per reading of the output (as it is, or the content of an enclosing code
/// fence), since `extractFromCodeFence` may differ between criteria.
package final class OutputDocument: Sendable {
    /// One reading of the output: the fence it came from, if any, and the parse.
    package struct Parsed: Sendable {
        package var fence: CodeFence?
        package var document: Result<JSONTape, JSONParseError>
    }

    package let output: String
    private let state = Guarded(State())

    private struct State {
        var parses: [Bool: Parsed] = [:]
        var parseCount = 0
    }

    package init(_ output: String) {
        self.output = output
    }

    /// The output (or, with `extractFromCodeFence`, the code fence that encloses all of it) parsed
    /// as JSON. Criteria of one evaluation are scored one after another, so the parse runs outside
    /// the lock: two threads asking at once would each parse, and one result would be kept.
    package func parsed(extractFromCodeFence: Bool) -> Parsed {
        if let known = state.withLock({ $0.parses[extractFromCodeFence] }) { return known }
        let fence = extractFromCodeFence ? CodeFence.enclosing(output) : nil
        let document: Result<JSONTape, JSONParseError>
        do {
            document = .success(try JSONTape.parse(output, utf8Range: fence?.content))
        } catch {
            document = .failure(error)
        }
        let parsed = Parsed(fence: fence, document: document)
        state.withLock { state in
            state.parses[extractFromCodeFence] = parsed
            state.parseCount += 1
        }
        return parsed
    }

    /// How many times the output has been parsed (once per reading asked for).
    package var parseCount: Int { state.withLock(\.parseCount) }
}
