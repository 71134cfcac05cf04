import AssayCore

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
    var path: [SchemaPathToken] = []
    /// `$ref` targets being evaluated, innermost last; entries from `refChainStart` on were
    /// entered at the current instance location, so meeting one of them again is a cycle
    /// that would never end.
    private var refChain: [Int] = []
    private var refChainStart = 0
    private var depth = 0
    var budget: WorkBudget
    /// Whether `pattern` matches take their work from ``budget`` (a small one: scoring on an event
    /// loop) instead of running under the regexes' own limits.
    var patternsOnBudget = false
    private var memo = SchemaReferenceMemo()
    /// `$ref`s evaluated at each location on the current path (the root's first), so that only
    /// a location reached by more than one reference pays for memoisation.
    private var referencesAtLocation: [Int] = [0]
    /// Bumped whenever a `$ref` cycle is cut: a result that depended on one is not memoised.
    private var cyclesCut = 0
    /// Above 0 while a property name is checked against `propertyNames`: the name sits at its
    /// member's path, so its results are memoised at a location of their own.
    var checkingNames = 0

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
    var isFull: Bool { violations.count >= Self.maxReportedViolations || budget.isExhausted }

    /// Records a violation at the current instance location. Returns whether evaluation
    /// should go on looking for more.
    mutating func fail(_ keyword: String, _ message: @autoclosure () -> String) -> Bool {
        guard reporting, !budget.isExhausted else { return false }
        if !isFull {
            violations.append(
                JSONSchemaViolation(instancePath: SchemaPath.pointer(path), keyword: keyword, message: message()))
        }
        return !isFull
    }

    /// Evaluates without reporting, for subschemas whose result is only an input.
    private mutating func probe<I: SchemaInstance>(_ node: Int, _ value: I) -> Bool {
        var ignored = SchemaEvaluatedLocations()
        return probe(node, value, into: &ignored)
    }

    private mutating func probe<I: SchemaInstance>(
        _ node: Int, _ value: I, into evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let saved = reporting
        reporting = false
        defer { reporting = saved }
        return inPlace(node, value, into: &evaluated)
    }

    /// Evaluates a subschema applied to the same location; what it evaluated counts for
    /// this location only if it passed.
    private mutating func inPlace<I: SchemaInstance>(
        _ node: Int, _ value: I, into evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        guard tracksEvaluated else { return evaluate(node, value) }
        var own = SchemaEvaluatedLocations()
        let valid = evaluate(node, value, &own)
        if valid { evaluated.merge(own) }
        return valid
    }

    /// Evaluates `value`, found at `token` below the current location.
    mutating func evaluate<I: SchemaInstance>(_ node: Int, _ value: I, at token: SchemaPathToken) -> Bool {
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

    mutating func evaluate<I: SchemaInstance>(_ index: Int, _ value: I) -> Bool {
        var evaluated = SchemaEvaluatedLocations()
        return evaluate(index, value, &evaluated)
    }

    /// Evaluates `value` against node `index`, adding what it evaluated to `evaluated`
    /// when tracking.
    private mutating func evaluate<I: SchemaInstance>(
        _ index: Int, _ value: I, _ evaluated: inout SchemaEvaluatedLocations
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
        switch value.shape {
        case .number(let d): guard evaluateNumber(index, d, &valid) else { return false }
        case .string: guard evaluateString(index, value, &valid) else { return false }
        case .array(let count): guard evaluateArray(index, value, count, &valid, &evaluated) else { return false }
        case .object(let count): guard evaluateObject(index, value, count, &valid, &evaluated) else { return false }
        case .null, .bool: break
        }
        return valid
    }

    // Each keyword group (here and in the +Scalars and +Containers files) sets `valid` to false on
    // a failure and returns whether to go on (false once not reporting, or when the report is full).

    private mutating func evaluateGeneric<I: SchemaInstance>(
        _ index: Int, _ value: I, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let node = nodes.baseAddress! + index
        if let types = node.pointee.types, !types.admits(value.shape) {
            valid = false
            guard fail("type", "must be \(types.names), got \(value.typeName)") else { return false }
        }
        if let values = node.pointee.enumValues, budget.spend(values.count),
            case let instance = value.jsonValue, !values.contains(where: { SchemaEquality.equal($0, instance) })
        {
            valid = false
            guard fail("enum", "must be one of: \(SchemaFormat.list(values))") else { return false }
        }
        if case .some(.some(let constant)) = node.pointee.constValue, !SchemaEquality.equal(constant, value.jsonValue) {
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
            guard case .object = value.shape, value.member(property) != nil else { continue }
            if !inPlace(sub, value, into: &evaluated) {
                valid = false
                if !reporting || isFull { return false }
            }
        }
        return true
    }

    /// Whether any branch passes. When tracking, every branch is tried, since each one that
    /// passes contributes what it evaluated.
    private mutating func anyOf<I: SchemaInstance>(
        _ branches: [Int], _ value: I, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        guard tracksEvaluated else { return branches.contains { probe($0, value) } }
        var any = false
        for sub in branches where probe(sub, value, into: &evaluated) { any = true }
        return any
    }

    private mutating func evaluateReference<I: SchemaInstance>(
        _ target: Int, _ value: I, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
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
    private mutating func memoised<I: SchemaInstance>(
        _ target: Int, _ value: I, into evaluated: inout SchemaEvaluatedLocations
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
}
