// The number and string keywords of ``SchemaEvaluator``.
extension SchemaEvaluator {
    mutating func evaluateNumber(_ index: Int, _ d: Double, _ valid: inout Bool) -> Bool {
        let node = nodes.baseAddress! + index
        func got() -> String { "got \(SchemaFormat.number(d))" }
        if let limit = node.pointee.minimum, d < limit {
            valid = false
            guard fail("minimum", "must be at least \(SchemaFormat.number(limit)), \(got())") else { return false }
        }
        if let limit = node.pointee.maximum, d > limit {
            valid = false
            guard fail("maximum", "must be at most \(SchemaFormat.number(limit)), \(got())") else { return false }
        }
        if let limit = node.pointee.exclusiveMinimum, d <= limit {
            valid = false
            guard fail("exclusiveMinimum", "must be greater than \(SchemaFormat.number(limit)), \(got())") else {
                return false
            }
        }
        if let limit = node.pointee.exclusiveMaximum, d >= limit {
            valid = false
            guard fail("exclusiveMaximum", "must be less than \(SchemaFormat.number(limit)), \(got())") else {
                return false
            }
        }
        if let divisor = node.pointee.multipleOf, !Self.isMultiple(d, of: divisor) {
            valid = false
            guard fail("multipleOf", "must be a multiple of \(SchemaFormat.number(divisor)), \(got())") else {
                return false
            }
        }
        return true
    }

    /// Relative tolerance for `multipleOf` quotients: decimal divisors such as 0.0001 have
    /// no exact binary form, so 0.0075 / 0.0001 is 74.99999999999999; the error of one
    /// division is a few units in the last place (about 2e-16 relative), far below this.
    static let multipleOfTolerance = 1e-12

    static func isMultiple(_ value: Double, of divisor: Double) -> Bool {
        let quotient = value / divisor
        guard quotient.isFinite else { return false }
        let nearest = quotient.rounded()
        return abs(quotient - nearest) <= max(1, abs(quotient)) * multipleOfTolerance
    }

    mutating func evaluateString<I: SchemaInstance>(_ index: Int, _ value: I, _ valid: inout Bool) -> Bool {
        let node = nodes.baseAddress! + index
        if node.pointee.minLength != nil || node.pointee.maxLength != nil,
            let length = Self.lengthIfOutside(value, min: node.pointee.minLength, max: node.pointee.maxLength)
        {
            if let limit = node.pointee.minLength, length < limit {
                valid = false
                guard fail("minLength", "must be at least \(limit) characters long, got \(length)") else {
                    return false
                }
            }
            if let limit = node.pointee.maxLength, length > limit {
                valid = false
                guard fail("maxLength", "must be at most \(limit) characters long, got \(length)") else { return false }
            }
        }
        if let pattern = node.pointee.pattern {
            switch match(pattern, value.text) {
            case .match: break
            case .noMatch:
                valid = false
                guard fail("pattern", "must match the pattern \(SchemaFormat.json(.string(pattern.source)))") else {
                    return false
                }
            case .undecided(let reason):
                valid = false
                guard
                    fail(
                        "pattern",
                        "could not be checked against \(SchemaFormat.json(.string(pattern.source))): \(reason)")
                else { return false }
            }
        }
        return true
    }

    /// Matches `pattern` against `text`, charging the budget for the scan: one step per 16 bytes,
    /// or ``undecidedPatternSteps`` when the match gave up at its regex work limit. With
    /// ``patternsOnBudget`` the match's own work comes from the budget too, and a match that runs
    /// out exhausts it.
    mutating func match(_ pattern: SchemaPattern, _ text: String) -> SchemaPattern.Outcome {
        guard budget.spend(1 + text.utf8.count / 16) else { return .undecided("\(budget.exhaustion!)") }
        if patternsOnBudget { return pattern.match(text, budget: &budget) }
        let outcome = pattern.match(text)
        if case .undecided = outcome { _ = budget.spend(Self.undecidedPatternSteps) }
        return outcome
    }

    /// The length of string `s` in code points when it may break `minLength` or `maxLength`, or
    /// nil when its UTF-8 length alone shows it keeps both (1 to 4 bytes per code point), so that
    /// a megabyte string is only counted (and, on a tape, decoded) when the bounds are close to its size.
    static func lengthIfOutside<I: SchemaInstance>(_ s: I, min minLength: Int?, max maxLength: Int?) -> Int? {
        let bytes = s.utf8Count
        let fitsMin = minLength.map { bytes / 4 >= $0 } ?? true
        let fitsMax = maxLength.map { bytes <= $0 } ?? true
        if fitsMin && fitsMax { return nil }
        return UTF8Length.scalarCount(s.text)
    }
}
