/// Checks one instance against compiled ``SchemaNode``s.
///
/// In reporting mode every failing keyword adds a ``JSONSchemaViolation`` (up to
/// ``maxReportedViolations``) and evaluation goes on to find more; otherwise the first
/// failure ends it. Subschemas whose failure is not itself the problem (`anyOf` branches,
/// `not`, `if`, `contains`) are always probed without reporting.
///
/// Work is bounded by a ``WorkBudget``: one step per subschema applied to a value, plus the
/// size of `enum`, `uniqueItems` and `pattern` work. Once it runs out every evaluation fails at
/// once, so the recursion unwinds, and the caller must treat the outcome as undecided.
/// `$ref` results are memoised per instance location (``SchemaReferenceMemo``).
struct SchemaEvaluator {
    /// The schema's node table, borrowed for one validation (see ``JSONSchema/withEvaluator``):
    /// nodes are read in place through it, where copying a node out of an array would retain
    /// and release each of its arrays, dictionaries and regexes at every step.
    let nodes: UnsafeBufferPointer<SchemaNode>
    var reporting: Bool
    /// Whether to collect ``SchemaEvaluatedLocations`` (the schema has `unevaluated*`).
    let tracksEvaluated: Bool
    private(set) var violations: [JSONSchemaViolation] = []
    /// Where in the instance evaluation is.
    private var path: [SchemaPathToken] = []
    /// `$ref` targets being evaluated, innermost last; entries from `refChainStart` on were
    /// entered at the current instance location, so meeting one of them again is a cycle
    /// that would never end.
    private var refChain: [Int] = []
    private var refChainStart = 0
    private var depth = 0
    private(set) var budget: WorkBudget
    private var memo = SchemaReferenceMemo()
    /// `$ref`s evaluated at each location on the current path (the root's first), so that only
    /// a location reached by more than one reference pays for memoisation.
    private var referencesAtLocation: [Int] = [0]
    /// Bumped whenever a `$ref` cycle is cut: a result that depended on one is not memoised.
    private var cyclesCut = 0
    /// Above 0 while a property name is checked against `propertyNames`: the name sits at its
    /// member's path, so its results are memoised at a location of their own.
    private var checkingNames = 0

    /// Enough to show a user what is wrong with a document without building huge reports
    /// for a value that is wrong everywhere (a 100,000-element array of the wrong type).
    static let maxReportedViolations = 100

    /// Nested schema applications: the parser's 128 levels of instance nesting with a few
    /// schema hops (`$ref`, `allOf`, ...) each, while keeping the recursion well inside a
    /// secondary thread's stack.
    static let maxDepth = 512

    /// Steps one validation may take by default: about a quarter of a second of one core at the
    /// measured 30 to 60 ns per step, and over ten times what a 1 MB document of 100,000
    /// small objects needs against a schema of a dozen keywords per object.
    static let defaultMaxSteps = 8_000_000

    /// What a `pattern` match that exceeded its regex work limit costs: it has used up to
    /// ``RegexLimits/defaultTimeLimit`` of CPU, so a handful of them exhaust the budget.
    static let undecidedPatternSteps = defaultMaxSteps / 8

    init(nodes: UnsafeBufferPointer<SchemaNode>, reporting: Bool, tracksEvaluated: Bool, budget: WorkBudget) {
        self.nodes = nodes
        self.reporting = reporting
        self.tracksEvaluated = tracksEvaluated
        self.budget = budget
    }

    /// Whether to stop looking for more violations: the report is full, or the budget ran out.
    private var isFull: Bool { violations.count >= Self.maxReportedViolations || budget.isExhausted }

    /// Records a violation at the current instance location. Returns whether evaluation
    /// should go on looking for more.
    private mutating func fail(_ keyword: String, _ message: @autoclosure () -> String) -> Bool {
        guard reporting, !budget.isExhausted else { return false }
        if !isFull {
            violations.append(
                JSONSchemaViolation(instancePath: SchemaPath.pointer(path), keyword: keyword, message: message()))
        }
        return !isFull
    }

    /// Evaluates without reporting, for subschemas whose result is only an input.
    private mutating func probe(_ node: Int, _ value: JSONValue) -> Bool {
        var ignored = SchemaEvaluatedLocations()
        return probe(node, value, into: &ignored)
    }

    private mutating func probe(_ node: Int, _ value: JSONValue, into evaluated: inout SchemaEvaluatedLocations) -> Bool
    {
        let saved = reporting
        reporting = false
        defer { reporting = saved }
        return inPlace(node, value, into: &evaluated)
    }

    /// Evaluates a subschema applied to the same location; what it evaluated counts for
    /// this location only if it passed.
    private mutating func inPlace(
        _ node: Int, _ value: JSONValue, into evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        guard tracksEvaluated else { return evaluate(node, value) }
        var own = SchemaEvaluatedLocations()
        let valid = evaluate(node, value, &own)
        if valid { evaluated.merge(own) }
        return valid
    }

    /// Evaluates `value`, found at `token` below the current location.
    private mutating func evaluate(_ node: Int, _ value: JSONValue, at token: SchemaPathToken) -> Bool {
        path.append(token)
        referencesAtLocation.append(0)
        let savedStart = refChainStart
        refChainStart = refChain.count
        defer {
            path.removeLast()
            referencesAtLocation.removeLast()
            memo.leave(toDepth: path.count)
            refChainStart = savedStart
        }
        return evaluate(node, value)
    }

    mutating func evaluate(_ index: Int, _ value: JSONValue) -> Bool {
        var evaluated = SchemaEvaluatedLocations()
        return evaluate(index, value, &evaluated)
    }

    /// Evaluates `value` against node `index`, adding what it evaluated to `evaluated`
    /// when tracking.
    private mutating func evaluate(
        _ index: Int, _ value: JSONValue, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        if let verdict = nodes[index].verdict {
            if !verdict { _ = fail("false", "no value is allowed here (the schema is false)") }
            return verdict
        }
        guard budget.spend() else { return false }
        guard depth < Self.maxDepth else {
            _ = fail("$ref", "the schema nests deeper than \(Self.maxDepth) levels here")
            return false
        }
        depth += 1
        defer { depth -= 1 }
        var valid = true
        guard evaluateGeneric(index, value, &valid, &evaluated) else { return false }
        switch value {
        case .number(let d): guard evaluateNumber(index, d, &valid) else { return false }
        case .string(let s): guard evaluateString(index, s, &valid) else { return false }
        case .array(let a): guard evaluateArray(index, a, &valid, &evaluated) else { return false }
        case .object(let o): guard evaluateObject(index, o, &valid, &evaluated) else { return false }
        case .null, .bool: break
        }
        return valid
    }

    // Each keyword group below sets `valid` to false on a failure and returns whether to go
    // on (false once not reporting, or when the report is full).

    private mutating func evaluateGeneric(
        _ index: Int, _ value: JSONValue, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let node = nodes.baseAddress! + index
        if let types = node.pointee.types, !types.admits(value) {
            valid = false
            guard fail("type", "must be \(types.names), got \(value.typeName)") else { return false }
        }
        if let values = node.pointee.enumValues, budget.spend(values.count),
            !values.contains(where: { SchemaEquality.equal($0, value) })
        {
            valid = false
            guard fail("enum", "must be one of: \(SchemaFormat.list(values))") else { return false }
        }
        if case .some(.some(let constant)) = node.pointee.constValue, !SchemaEquality.equal(constant, value) {
            valid = false
            guard fail("const", "must be \(SchemaFormat.json(constant))") else { return false }
        }
        if let target = node.pointee.ref {
            guard evaluateReference(target, value, &valid, &evaluated) else { return false }
        }
        if let target = node.pointee.dynamicRef {
            guard evaluateReference(target, value, &valid, &evaluated) else { return false }
        }
        for sub in node.pointee.allOf where !inPlace(sub, value, into: &evaluated) {
            valid = false
            if !reporting || isFull { return false }
        }
        if !node.pointee.anyOf.isEmpty, !anyOf(node.pointee.anyOf, value, &evaluated) {
            valid = false
            guard fail("anyOf", "must match at least one of the \(node.pointee.anyOf.count) schemas in anyOf") else {
                return false
            }
        }
        if !node.pointee.oneOf.isEmpty {
            var matching: [Int] = []
            for (i, sub) in node.pointee.oneOf.enumerated() where probe(sub, value, into: &evaluated) {
                matching.append(i)
                if matching.count > 1 && !reporting { break }
            }
            if matching.count != 1 {
                valid = false
                let message =
                    matching.isEmpty
                    ? "must match exactly one of the \(node.pointee.oneOf.count) schemas in oneOf, matches none"
                    : "must match exactly one schema in oneOf, matches \(matching.count) (at indices "
                        + matching.map(String.init).joined(separator: ", ") + ")"
                guard fail("oneOf", message) else { return false }
            }
        }
        if let sub = node.pointee.not, probe(sub, value) {
            valid = false
            guard fail("not", "must not match the schema in not") else { return false }
        }
        if let condition = node.pointee.ifSchema {
            let branch = probe(condition, value, into: &evaluated) ? node.pointee.thenSchema : node.pointee.elseSchema
            if let branch, !inPlace(branch, value, into: &evaluated) {
                valid = false
                if !reporting || isFull { return false }
            }
        }
        for (property, sub) in node.pointee.dependentSchemas {
            guard case .object(let object) = value, object[property] != nil else { continue }
            if !inPlace(sub, value, into: &evaluated) {
                valid = false
                if !reporting || isFull { return false }
            }
        }
        return true
    }

    /// Whether any branch passes. When tracking, every branch is tried, since each one that
    /// passes contributes what it evaluated.
    private mutating func anyOf(
        _ branches: [Int], _ value: JSONValue, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        guard tracksEvaluated else { return branches.contains { probe($0, value) } }
        var any = false
        for sub in branches where probe(sub, value, into: &evaluated) { any = true }
        return any
    }

    private mutating func evaluateReference(
        _ target: Int, _ value: JSONValue, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        if refChain[refChainStart...].contains(target) {
            valid = false
            cyclesCut += 1
            return fail("$ref", "the schema refers to itself here without consuming any of the value (a $ref cycle)")
        }
        referencesAtLocation[referencesAtLocation.count - 1] += 1
        let passed: Bool
        if referencesAtLocation[referencesAtLocation.count - 1] > 1 {
            passed = memoised(target, value, into: &evaluated)
        } else {
            refChain.append(target)
            defer { refChain.removeLast() }
            passed = inPlace(target, value, into: &evaluated)
        }
        if !passed {
            valid = false
            if !reporting || isFull { return false }
        }
        return true
    }

    /// Evaluates a reference's target in place through the memo: a result found there is reused
    /// (a failure already reported is not reported twice), a new one is stored unless it depended
    /// on a cut cycle or an exhausted budget.
    private mutating func memoised(
        _ target: Int, _ value: JSONValue, into evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        guard budget.spend() else { return false }
        let location = checkingNames > 0 ? memo.nameLocation(of: path) : memo.location(of: path)
        if let entry = memo[target, location], entry.valid || !reporting || entry.reported {
            if entry.valid, let own = entry.evaluated { evaluated.merge(own) }
            return entry.valid
        }
        let cycles = cyclesCut
        refChain.append(target)
        defer { refChain.removeLast() }
        var own = SchemaEvaluatedLocations()
        let valid = evaluate(target, value, &own)
        if valid, tracksEvaluated { evaluated.merge(own) }
        if cycles == cyclesCut, !budget.isExhausted {
            memo[target, location] = SchemaReferenceMemo.Entry(
                valid: valid, reported: reporting, evaluated: valid && tracksEvaluated ? own : nil)
        }
        return valid
    }

    private mutating func evaluateNumber(_ index: Int, _ d: Double, _ valid: inout Bool) -> Bool {
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

    private mutating func evaluateString(_ index: Int, _ s: String, _ valid: inout Bool) -> Bool {
        let node = nodes.baseAddress! + index
        if node.pointee.minLength != nil || node.pointee.maxLength != nil,
            let length = Self.lengthIfOutside(s, min: node.pointee.minLength, max: node.pointee.maxLength)
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
            switch match(pattern, s) {
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
    /// or ``undecidedPatternSteps`` when the match gave up at its regex work limit.
    private mutating func match(_ pattern: SchemaPattern, _ text: String) -> SchemaPattern.Outcome {
        guard budget.spend(1 + text.utf8.count / 16) else { return .undecided("\(budget.exhaustion!)") }
        let outcome = pattern.match(text)
        if case .undecided = outcome { _ = budget.spend(Self.undecidedPatternSteps) }
        return outcome
    }

    /// The length of `s` in code points when it may break `minLength` or `maxLength`, or nil
    /// when its UTF-8 length alone shows it keeps both (1 to 4 bytes per code point), so that
    /// a megabyte string is only counted when the bounds are close to its size.
    static func lengthIfOutside(_ s: String, min minLength: Int?, max maxLength: Int?) -> Int? {
        let bytes = s.utf8.count
        let fitsMin = minLength.map { bytes / 4 >= $0 } ?? true
        let fitsMax = maxLength.map { bytes <= $0 } ?? true
        if fitsMin && fitsMax { return nil }
        return UTF8Length.scalarCount(s)
    }

    private mutating func evaluateArray(
        _ index: Int, _ elements: [JSONValue], _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let node = nodes.baseAddress! + index
        if let limit = node.pointee.minItems, elements.count < limit {
            valid = false
            guard fail("minItems", "must have at least \(limit) items, got \(elements.count)") else { return false }
        }
        if let limit = node.pointee.maxItems, elements.count > limit {
            valid = false
            guard fail("maxItems", "must have at most \(limit) items, got \(elements.count)") else { return false }
        }
        if node.pointee.uniqueItems, budget.spend(elements.count) {
            var firstIndex: [SchemaEquality.Key: Int] = [:]
            for (i, element) in elements.enumerated() {
                if let earlier = firstIndex.updateValue(i, forKey: SchemaEquality.Key(value: element)) {
                    valid = false
                    guard fail("uniqueItems", "items must be unique, but items \(earlier) and \(i) are equal") else {
                        return false
                    }
                    break
                }
            }
        }
        evaluated.leadingItems = max(evaluated.leadingItems, min(node.pointee.prefixItems.count, elements.count))
        for (i, sub) in node.pointee.prefixItems.enumerated() where i < elements.count {
            if !evaluate(sub, elements[i], at: .index(i)) {
                valid = false
                if !reporting || isFull { return false }
            }
        }
        if node.pointee.items != nil { evaluated.allItems = true }
        if let sub = node.pointee.items, elements.count > node.pointee.prefixItems.count {
            for i in node.pointee.prefixItems.count..<elements.count where !evaluate(sub, elements[i], at: .index(i)) {
                valid = false
                if !reporting || isFull { return false }
            }
        }
        if let sub = node.pointee.contains {
            var matches = 0
            for (i, element) in elements.enumerated() {
                let saved = reporting
                reporting = false
                if evaluate(sub, element, at: .index(i)) {
                    matches += 1
                    if tracksEvaluated { evaluated.items.insert(i) }
                }
                reporting = saved
            }
            let least = node.pointee.minContains ?? 1
            if matches < least {
                valid = false
                guard
                    fail(
                        node.pointee.minContains == nil ? "contains" : "minContains",
                        "must contain at least \(least) item(s) matching the contains schema, found \(matches)")
                else { return false }
            }
            if let most = node.pointee.maxContains, matches > most {
                valid = false
                guard
                    fail(
                        "maxContains",
                        "must contain at most \(most) item(s) matching the contains schema, found \(matches)")
                else { return false }
            }
        }
        if let sub = node.pointee.unevaluatedItems {
            for i in elements.indices where !evaluated.contains(item: i) {
                if !evaluate(sub, elements[i], at: .index(i)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
            }
            evaluated.allItems = true
        }
        return true
    }

    private mutating func evaluateObject(
        _ index: Int, _ object: JSONObject, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let node = nodes.baseAddress! + index
        for name in node.pointee.required where object[name] == nil {
            valid = false
            guard fail("required", "missing required property \(SchemaFormat.json(.string(name)))") else {
                return false
            }
        }
        if let limit = node.pointee.minProperties, object.count < limit {
            valid = false
            guard fail("minProperties", "must have at least \(limit) properties, got \(object.count)") else {
                return false
            }
        }
        if let limit = node.pointee.maxProperties, object.count > limit {
            valid = false
            guard fail("maxProperties", "must have at most \(limit) properties, got \(object.count)") else {
                return false
            }
        }
        for (property, requires) in node.pointee.dependentRequired where object[property] != nil {
            for name in requires where object[name] == nil {
                valid = false
                guard
                    fail(
                        "dependentRequired",
                        "missing property \(SchemaFormat.json(.string(name))), which is required when "
                            + "\(SchemaFormat.json(.string(property))) is present")
                else { return false }
            }
        }
        let checksMembers =
            node.pointee.propertyNames != nil || !node.pointee.properties.isEmpty
            || !node.pointee.patternProperties.isEmpty
            || node.pointee.additionalProperties != nil || node.pointee.unevaluatedProperties != nil
        guard checksMembers else { return true }
        for name in object.keys {
            let member = object[name]!
            if let sub = node.pointee.propertyNames {
                let saved = reporting
                reporting = false
                checkingNames += 1
                let accepted = evaluate(sub, .string(name), at: .key(name))
                checkingNames -= 1
                reporting = saved
                if !accepted {
                    valid = false
                    path.append(.key(name))
                    let proceed = fail(
                        "propertyNames", "the property name \(SchemaFormat.json(.string(name))) is not allowed")
                    path.removeLast()
                    guard proceed else { return false }
                }
            }
            var matched = false
            if let sub = node.pointee.properties[name] {
                matched = true
                if tracksEvaluated { evaluated.properties.insert(name) }
                if !evaluate(sub, member, at: .key(name)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
            }
            for (pattern, sub) in node.pointee.patternProperties {
                switch match(pattern, name) {
                case .noMatch: continue
                case .match:
                    matched = true
                    if tracksEvaluated { evaluated.properties.insert(name) }
                    if !evaluate(sub, member, at: .key(name)) {
                        valid = false
                        if !reporting || isFull { return false }
                    }
                case .undecided(let reason):
                    matched = true
                    valid = false
                    path.append(.key(name))
                    let proceed = fail(
                        "patternProperties",
                        "the property name could not be checked against "
                            + "\(SchemaFormat.json(.string(pattern.source))): \(reason)")
                    path.removeLast()
                    guard proceed else { return false }
                }
            }
            if !matched, let sub = node.pointee.additionalProperties {
                if tracksEvaluated { evaluated.properties.insert(name) }
                if nodes[sub].verdict == false {
                    valid = false
                    path.append(.key(name))
                    let proceed = fail(
                        "additionalProperties",
                        "the property \(SchemaFormat.json(.string(name))) is not allowed "
                            + "(the schema allows no properties beyond those it lists)")
                    path.removeLast()
                    guard proceed else { return false }
                } else if !evaluate(sub, member, at: .key(name)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
            }
        }
        if let sub = node.pointee.unevaluatedProperties {
            for name in object.keys where !evaluated.properties.contains(name) {
                if nodes[sub].verdict == false {
                    valid = false
                    path.append(.key(name))
                    let proceed = fail(
                        "unevaluatedProperties",
                        "the property \(SchemaFormat.json(.string(name))) is not allowed "
                            + "(no keyword of the schema covers it)")
                    path.removeLast()
                    guard proceed else { return false }
                } else if !evaluate(sub, object[name]!, at: .key(name)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
                evaluated.properties.insert(name)
            }
        }
        return true
    }
}
