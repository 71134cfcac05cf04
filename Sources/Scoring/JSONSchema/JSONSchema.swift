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

    /// Every way `instance` fails the schema (up to a bounded number); empty when it is valid.
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        withEvaluator(reporting: true) { evaluator in
            let valid = evaluator.evaluate(root, instance)
            if !valid && evaluator.violations.isEmpty {
                return [JSONSchemaViolation(instancePath: "", keyword: "$schema", message: "does not match the schema")]
            }
            return evaluator.violations
        }
    }

    /// Whether `instance` is valid; stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        withEvaluator(reporting: false) { evaluator in evaluator.evaluate(root, instance) }
    }

    /// Runs `body` with an evaluator that reads the node table in place, valid only inside.
    private func withEvaluator<R>(reporting: Bool, _ body: (inout SchemaEvaluator) -> R) -> R {
        nodes.withUnsafeBufferPointer { table in
            var evaluator = SchemaEvaluator(nodes: table, reporting: reporting, tracksEvaluated: tracksEvaluated)
            return body(&evaluator)
        }
    }
}
