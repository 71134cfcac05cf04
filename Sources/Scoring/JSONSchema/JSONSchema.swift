import AssayCore

/// A compiled JSON Schema (draft 2020-12, core and validation vocabularies): compile once,
/// validate many instances.
///
/// ```swift
/// let schema = try JSONSchema(compiling: try JSONParser.parse(schemaText))
/// for violation in schema.validate(try JSONParser.parse(modelOutput)) {
///     print(violation)   // "/age: minimum: must be at least 0, got -3"
/// }
/// ```
///
/// Supported: boolean schemas, `type`, `enum`, `const`, `properties`, `patternProperties`,
/// `additionalProperties`, `propertyNames`, `required`, `dependentRequired`,
/// `dependentSchemas`, `minProperties`, `maxProperties`, `items`, `prefixItems`, `contains`,
/// `minContains`, `maxContains`, `minItems`, `maxItems`, `uniqueItems`, the numeric bounds
/// and `multipleOf`, `minLength`, `maxLength` (in code points), `pattern` (unanchored, with
/// a bound on matching work), `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`,
/// `unevaluatedProperties` and `unevaluatedItems` (tracked only when a schema uses them), and
/// `$ref` to anywhere in the same document (JSON Pointer, `$anchor`, or an embedded `$id`).
/// `$dynamicRef` is resolved statically, like `$ref`. Annotations (`title`, `format`,
/// `default`, ...) and unknown keywords are ignored, as the specification says. Not
/// supported: references to other documents, and the dynamic scope of `$dynamicRef`.
/// Draft 7 spellings (`definitions`, array-form `items` with `additionalItems`,
/// `dependencies`) are accepted too.
public struct JSONSchema: Sendable {
    let nodes: [SchemaNode]
    let root: Int
    /// Whether any subschema uses `unevaluatedProperties` or `unevaluatedItems`, so that
    /// validation must track what each keyword evaluated.
    let tracksEvaluated: Bool

    public init(compiling schema: JSONValue) throws(JSONSchemaError) {
        var compiler = SchemaCompiler(document: schema)
        try compiler.indexIdentifiers()
        root = try compiler.compile(at: [])
        nodes = compiler.nodes
        tracksEvaluated = nodes.contains { $0.unevaluatedProperties != nil || $0.unevaluatedItems != nil }
    }

    /// What one validation found.
    public enum Validation: Sendable, Equatable {
        case valid
        /// Every way the instance fails the schema, up to a bounded number.
        case invalid([JSONSchemaViolation])
        /// The validation ran out of its work budget (or was cancelled) before it could decide.
        case undecided(WorkBudget.Exhaustion)
    }

    /// The steps a validation may take unless the caller gives a budget: see
    /// ``SchemaEvaluator/defaultMaxSteps``.
    public static let defaultMaxSteps = SchemaEvaluator.defaultMaxSteps

    /// Validates `instance`, taking the work from `budget` (one step per subschema applied to a
    /// value, plus the size of `enum`, `uniqueItems` and `pattern` work). With `patternsOnBudget`,
    /// `pattern` and `patternProperties` matches take their own work from `budget` too
    /// (``BoundedRegex/byteRange(in:budget:)``) instead of running under ``RegexLimits/default``:
    /// for a small budget that must bound the whole validation (scoring on an event loop).
    public func validate(_ instance: JSONValue, budget: inout WorkBudget, patternsOnBudget: Bool = false) -> Validation
    {
        validateInstance(instance, budget: &budget, patternsOnBudget: patternsOnBudget)
    }

    /// Validates a document parsed flat (``JSONTape``): the same outcome, violations and work as
    /// validating ``JSONTape/value``, without building the tree.
    public func validate(_ tape: JSONTape, budget: inout WorkBudget, patternsOnBudget: Bool = false) -> Validation {
        if let tree = tape.tree { return validate(tree, budget: &budget, patternsOnBudget: patternsOnBudget) }
        return tape.withView { view in validateInstance(view, budget: &budget, patternsOnBudget: patternsOnBudget) }
    }

    private func validateInstance<I: SchemaInstance>(
        _ instance: I, budget: inout WorkBudget, patternsOnBudget: Bool
    ) -> Validation {
        withEvaluator(reporting: true, budget: &budget) { evaluator in
            evaluator.patternsOnBudget = patternsOnBudget
            let valid = evaluator.evaluate(root, instance)
            if let exhaustion = evaluator.budget.exhaustion { return .undecided(exhaustion) }
            if valid { return .valid }
            if evaluator.violations.isEmpty {
                return .invalid([
                    JSONSchemaViolation(instancePath: "", keyword: "$schema", message: "does not match the schema")
                ])
            }
            return .invalid(evaluator.violations)
        }
    }

    /// Every way `instance` fails the schema (up to a bounded number); empty when it is valid.
    /// A validation that needs more than ``defaultMaxSteps`` fails with one violation saying so.
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var budget = WorkBudget(steps: Self.defaultMaxSteps)
        switch validate(instance, budget: &budget) {
        case .valid: return []
        case .invalid(let violations): return violations
        case .undecided(let exhaustion):
            return [
                JSONSchemaViolation(
                    instancePath: "", keyword: "$schema", message: "could not be decided: \(exhaustion)")
            ]
        }
    }

    /// Whether `instance` is valid; stops at the first failure. `false` when the validation
    /// needs more than ``defaultMaxSteps``.
    public func isValid(_ instance: JSONValue) -> Bool {
        var budget = WorkBudget(steps: Self.defaultMaxSteps)
        return isValid(instance, budget: &budget) ?? false
    }

    /// Whether `instance` is valid, taking the work from `budget`; `nil` when it ran out first.
    public func isValid(_ instance: JSONValue, budget: inout WorkBudget) -> Bool? {
        withEvaluator(reporting: false, budget: &budget) { evaluator in
            let valid = evaluator.evaluate(root, instance)
            return evaluator.budget.isExhausted ? nil : valid
        }
    }

    /// Runs `body` with an evaluator that reads the node table in place, valid only inside, and
    /// gives back what is left of the budget.
    private func withEvaluator<R>(
        reporting: Bool, budget: inout WorkBudget, _ body: (inout SchemaEvaluator) -> R
    ) -> R {
        nodes.withUnsafeBufferPointer { table in
            var evaluator = SchemaEvaluator(
                nodes: table, reporting: reporting, tracksEvaluated: tracksEvaluated, budget: budget)
            let result = body(&evaluator)
            budget = evaluator.budget
            return result
        }
    }
}
