import AssayCore

/// One compiled schema (a JSON object or boolean in the source), with its keywords decoded
/// and its subschemas replaced by indexes into ``JSONSchema``'s node table, so that `$ref`
/// cycles are plain index cycles and validation never re-reads the schema JSON.
struct SchemaNode: Sendable {
    /// For the boolean schemas `true` and `false`: the verdict for every instance.
    var verdict: Bool?

    var types: SchemaTypes?
    var enumValues: [JSONValue]?
    var constValue: JSONValue??
    var ref: Int?
    /// `$dynamicRef`, resolved statically (as if it were `$ref`).
    var dynamicRef: Int?

    // Applicators that stay on the same instance.
    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?

    // Numbers.
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: Double?

    // Strings.
    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?

    // Arrays.
    var prefixItems: [Int] = []
    var items: Int?
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var unevaluatedItems: Int?

    // Objects.
    var properties = SchemaProperties()
    var patternProperties: [(pattern: SchemaPattern, schema: Int)] = []
    var additionalProperties: Int?
    var propertyNames: Int?
    var required: [String] = []
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(property: String, requires: [String])] = []
    var dependentSchemas: [(property: String, schema: Int)] = []
    var unevaluatedProperties: Int?

    init() {}

    init(verdict: Bool) { self.verdict = verdict }
}
