import AssayCore

/// `isJSON` and `jsonSchema`: the output must be one JSON document (RFC 8259, parsed strictly),
/// and for `jsonSchema` also valid against `schema` (JSON Schema draft 2020-12).
///
/// Members: `schema` (jsonSchema only, required), `extractFromCodeFence` (default true).
/// Models often wrap JSON in a Markdown code fence (```` ```json ```` … ```` ``` ````); with
/// `extractFromCodeFence`, an output that consists of exactly one fenced block (after trimming
/// whitespace) is judged by the block's content. Anything else — text around the fence, two
/// fences — is parsed as it is, and so fails unless it is JSON.
package struct JSONCriterion: Sendable {
    /// On by default because a fenced block is how chat models most often return JSON, and
    /// the fence is presentation, not content.
    package static let defaultExtractFromCodeFence = true
    /// Violations a reason lists before summarising the rest.
    package static let maxReportedViolations = 3

    package let schema: JSONSchema?
    package let extractFromCodeFence: Bool

    package init(_ fields: JSONFields, schemaRequired: Bool) throws(FieldError) {
        var allowed = Criterion.commonFields.union(["extractFromCodeFence"])
        if schemaRequired { allowed.insert("schema") }
        try fields.rejectUnknown(allowed: allowed)
        extractFromCodeFence = try fields.bool("extractFromCodeFence") ?? Self.defaultExtractFromCodeFence
        guard schemaRequired else {
            schema = nil
            return
        }
        let document = try fields.required("schema", fields.value)
        do {
            schema = try JSONSchema(compiling: document)
        } catch {
            let base = fields.path("schema")
            let path =
                error.path.isEmpty ? base : error.path.hasPrefix("[") ? base + error.path : "\(base).\(error.path)"
            throw FieldError(path: path, message: error.message)
        }
    }

    /// Judges `output`'s shared parse, so that the output is parsed once for all its JSON criteria.
    package func evaluate(_ output: OutputDocument, cancellation: WorkCancellation? = nil) -> Verdict {
        var budget = WorkBudget(steps: JSONSchema.defaultMaxSteps, cancellation: cancellation)
        return verdict(output, budget: &budget, patternsOnBudget: false)
    }

    /// The verdict with all of the validation's work, its `pattern` matches included, taken from
    /// `budget`; `nil`, deciding nothing, when the budget ran out: the caller scores it again with
    /// ``evaluate(_:cancellation:)``.
    package func evaluate(_ output: OutputDocument, budget: inout WorkBudget) -> Verdict? {
        let verdict = verdict(output, budget: &budget, patternsOnBudget: true)
        return budget.isExhausted ? nil : verdict
    }

    private func verdict(_ output: OutputDocument, budget: inout WorkBudget, patternsOnBudget: Bool) -> Verdict {
        let parsed = output.parsed(extractFromCodeFence: extractFromCodeFence)
        let fence = parsed.fence
        let whereFrom = fence == nil ? "" : " inside a code fence"
        let document: JSONTape
        switch parsed.document {
        case .success(let value): document = value
        case .failure(let error):
            let line = error.line + (fence?.linesBefore ?? 0)
            return .fail("output\(whereFrom) is not valid JSON: line \(line), column \(error.column): \(error.reason)")
        }
        guard let schema else { return .pass("output\(whereFrom) is valid JSON (\(document.typeName))") }
        let violations: [JSONSchemaViolation]
        switch schema.validate(document, budget: &budget, patternsOnBudget: patternsOnBudget) {
        case .valid: return .pass("output\(whereFrom) is valid JSON and matches the schema")
        case .invalid(let found): violations = found
        case .undecided(.steps(let limit)):
            return .fail(
                "output\(whereFrom) could not be checked against the schema: too much work, more than \(limit) "
                    + "steps (its work limit); simplify the schema (nested allOf/anyOf/$ref fan-out) or the document")
        case .undecided(let exhaustion):
            return .fail("output\(whereFrom) was not checked against the schema: \(exhaustion)")
        }
        let shown = violations.prefix(Self.maxReportedViolations).map { violation in
            "\(violation.instancePath.isEmpty ? "(root)" : violation.instancePath): \(violation.message)"
        }
        let more = violations.count > shown.count ? "; and \(violations.count - shown.count) more" : ""
        let noun = violations.count == 1 ? "violation" : "violations"
        return .fail(
            "output\(whereFrom) does not match the schema (\(violations.count) \(noun)): "
                + shown.joined(separator: "; ") + more)
    }
}

/// A Markdown code fence that encloses a whole text.
package struct CodeFence: Equatable {
    /// Where what is between the opening fence's line and the closing fence lies in the text's
    /// UTF-8 (parsed in place: a fenced megabyte is neither copied nor validated again).
    package var content: Range<Int>
    /// Lines of the text before `content` starts, to translate positions inside it.
    package var linesBefore: Int

    /// The fenced block when `text`, trimmed of whitespace, is exactly one block opened by three or
    /// more backticks (with an optional info string such as `json`) and closed by the same
    /// backticks on their own line; otherwise `nil`.
    package static func enclosing(_ text: String) -> CodeFence? {
        UTF8Text.withBytes(text) { bytes -> CodeFence? in
            var start = 0
            var end = bytes.count
            while start < end, UTF8Text.whitespaceLength(bytes, at: start) > 0 {
                start += UTF8Text.whitespaceLength(bytes, at: start)
            }
            while end > start, UTF8Text.whitespaceLength(bytes, endingAt: end) > 0 {
                end -= UTF8Text.whitespaceLength(bytes, endingAt: end)
            }
            let backtick = UInt8(ascii: "`")
            var ticks = 0
            while start + ticks < end, bytes[start + ticks] == backtick { ticks += 1 }
            guard ticks >= 3, end - start >= 2 * ticks else { return nil }
            // The opening line: backticks, then an info string without backticks, then a newline.
            var contentStart = start + ticks
            while contentStart < end, bytes[contentStart] != UInt8(ascii: "\n") {
                if bytes[contentStart] == backtick { return nil }
                contentStart += 1
            }
            guard contentStart < end else { return nil }
            contentStart += 1
            // The closing fence: the same backticks at the very end, at the start of a line.
            let closeStart = end - ticks
            guard closeStart >= contentStart, bytes[closeStart - 1] == UInt8(ascii: "\n") else { return nil }
            for i in closeStart..<end where bytes[i] != backtick { return nil }
            let contentEnd = closeStart
            let linesBefore = bytes[0..<contentStart].reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            return CodeFence(content: contentStart..<contentEnd, linesBefore: linesBefore)
        }
    }
}
