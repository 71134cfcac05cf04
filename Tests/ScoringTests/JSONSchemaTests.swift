import Testing

@testable import AssayCore
@testable import Scoring

@Suite("JSONSchema")
struct JSONSchemaTests {
    /// A schema, an instance, and the violations expected as "instancePath keyword" (`#` for
    /// the root); no violations means valid.
    struct Case: Sendable, CustomTestStringConvertible {
        var schema: String
        var instance: String
        var violations: [String]

        init(_ schema: String, _ instance: String, _ violations: [String] = []) {
            self.schema = schema
            self.instance = instance
            self.violations = violations
        }

        var testDescription: String { "\(schema) with \(instance)" }
    }

    static let keywordCases: [Case] = [
        // type
        Case(#"{"type":"integer"}"#, "1.0"),
        Case(#"{"type":"integer"}"#, "1.5", ["# type"]),
        Case(#"{"type":"number"}"#, "true", ["# type"]),
        Case(#"{"type":["string","null"]}"#, "null"),
        Case(#"{"type":["string","null"]}"#, "3", ["# type"]),
        // enum and const: JSON equality, strings by code point
        Case(#"{"enum":[1,"a",null]}"#, "1.0"),
        Case(#"{"enum":[1,"a",null]}"#, #""b""#, ["# enum"]),
        Case(#"{"enum":[false]}"#, "0", ["# enum"]),
        Case(#"{"const":{"a":[1,2],"b":null}}"#, #"{"b":null,"a":[1.0,2]}"#),
        Case(#"{"const":"\u00f1"}"#, #""n\u0303""#, ["# const"]),
        // objects
        Case(
            #"{"properties":{"a":{"type":"string"}},"required":["a","b"],"additionalProperties":false}"#,
            #"{"a":1,"c":2}"#, ["# required", "/a type", "/c additionalProperties"]),
        Case(
            #"{"patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":{"type":"string"}}"#,
            #"{"x-a":1,"x-b":"no","other":"s","more":2}"#, ["/x-b type", "/more type"]),
        Case(#"{"propertyNames":{"maxLength":3}}"#, #"{"abc":1,"abcd":2}"#, ["/abcd propertyNames"]),
        Case(#"{"minProperties":2}"#, #"{"a":1}"#, ["# minProperties"]),
        Case(#"{"maxProperties":1}"#, #"{"a":1,"b":2}"#, ["# maxProperties"]),
        Case(#"{"dependentRequired":{"card":["billing"]}}"#, #"{"card":1}"#, ["# dependentRequired"]),
        Case(#"{"dependentRequired":{"card":["billing"]}}"#, #"{"billing":1}"#),
        Case(#"{"dependentSchemas":{"card":{"required":["cvc"]}}}"#, #"{"card":1}"#, ["# required"]),
        Case(#"{"properties":{"a/b~c":{"type":"string"}}}"#, #"{"a/b~c":1}"#, ["/a~1b~0c type"]),
        // numbers
        Case(#"{"minimum":1,"exclusiveMaximum":10}"#, "10", ["# exclusiveMaximum"]),
        Case(#"{"minimum":1,"exclusiveMaximum":10}"#, "0", ["# minimum"]),
        Case(#"{"maximum":5,"exclusiveMinimum":0}"#, "0", ["# exclusiveMinimum"]),
        Case(#"{"maximum":5,"exclusiveMinimum":0}"#, "5"),
        Case(#"{"multipleOf":0.0001}"#, "0.0075"),
        Case(#"{"multipleOf":0.0001}"#, "0.00751", ["# multipleOf"]),
        Case(#"{"multipleOf":0.01}"#, "19.99"),
        Case(#"{"multipleOf":0.1}"#, "0.3"),
        Case(#"{"multipleOf":3}"#, "10", ["# multipleOf"]),
        Case(#"{"multipleOf":1e-8}"#, "12391239123"),
        Case(#"{"multipleOf":0.123456789}"#, "1e308", ["# multipleOf"]),
        // strings: lengths in code points
        Case(#"{"maxLength":2}"#, "\"\u{1F600}\u{1F600}\""),
        Case(#"{"maxLength":1}"#, #""e\u0301""#, ["# maxLength"]),
        Case(#"{"minLength":2}"#, "\"\u{1F600}\"", ["# minLength"]),
        Case(#"{"pattern":"^[a-z]+$"}"#, #""abc""#),
        Case(#"{"pattern":"^[a-z]+$"}"#, #""abC""#, ["# pattern"]),
        Case(#"{"pattern":"b"}"#, #""abc""#),
        Case(#"{"pattern":"^\\p{Letter}+$"}"#, #""h\u00e9llo""#),
        Case(#"{"pattern":"^\\p{Lu}"}"#, #""hello""#, ["# pattern"]),
        Case(#"{"pattern":"^a"}"#, "5"),
        // arrays
        Case(#"{"prefixItems":[{"type":"string"}],"items":{"type":"integer"}}"#, #"["a",1,"b"]"#, ["/2 type"]),
        Case(#"{"prefixItems":[true],"items":false}"#, "[1,2]", ["/1 false"]),
        Case(#"{"items":[{"type":"string"}],"additionalItems":false}"#, #"["a",1]"#, ["/1 false"]),
        Case(#"{"minItems":2,"maxItems":3}"#, "[1]", ["# minItems"]),
        Case(#"{"minItems":2,"maxItems":3}"#, "[1,2,3,4]", ["# maxItems"]),
        Case(#"{"uniqueItems":true}"#, #"[1,{"a":1,"b":2},{"b":2,"a":1}]"#, ["# uniqueItems"]),
        Case(#"{"uniqueItems":true}"#, "[1,1.0]", ["# uniqueItems"]),
        Case(#"{"uniqueItems":true}"#, "[1,true,[1],[true],0,false]"),
        Case(#"{"uniqueItems":true}"#, #"["\u00f1","n\u0303"]"#),
        Case(#"{"contains":{"type":"string"},"minContains":2,"maxContains":3}"#, #"["a",1]"#, ["# minContains"]),
        Case(#"{"contains":{"type":"string"},"maxContains":1}"#, #"["a","b"]"#, ["# maxContains"]),
        Case(#"{"contains":{"const":1}}"#, "[2]", ["# contains"]),
        Case(#"{"contains":{"const":1},"minContains":0}"#, "[]"),
        // applicators
        Case(#"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "3", ["# oneOf"]),
        Case(#"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "1"),
        Case(#"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "1.5", ["# oneOf"]),
        Case(#"{"anyOf":[{"type":"string"},{"type":"null"}]}"#, "1", ["# anyOf"]),
        Case(#"{"allOf":[{"minimum":1},{"maximum":2}]}"#, "3", ["# maximum"]),
        Case(#"{"not":{"type":"null"}}"#, "null", ["# not"]),
        Case(
            #"{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}"#,
            #"{"kind":"a"}"#, ["# required"]),
        Case(
            #"{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}"#,
            #"{"kind":"b","y":1}"#),
        Case(#"{"then":{"type":"string"}}"#, "1"),
        // unevaluatedProperties and unevaluatedItems see through in-place applicators
        Case(
            #"{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}"#, #"{"a":1,"b":2}"#,
            ["/b unevaluatedProperties"]),
        Case(
            #"{"anyOf":[{"properties":{"a":true}},{"properties":{"b":{"type":"string"}}}],"unevaluatedProperties":false}"#,
            #"{"a":1,"b":2}"#, ["/b unevaluatedProperties"]),
        Case(
            #"{"if":{"properties":{"t":{"const":1}}},"then":{"properties":{"x":true}},"unevaluatedProperties":false}"#,
            #"{"t":1,"x":1}"#),
        Case(
            #"{"prefixItems":[true],"contains":{"type":"string"},"unevaluatedItems":{"type":"integer"}}"#,
            #"[0,"s",1.5]"#, ["/2 type"]),
        // boolean schemas and ignored keywords
        Case("true", #"{"anything":[1]}"#),
        Case("false", "1", ["# false"]),
        Case(
            #"{"foo":{"type":"string"},"format":"email","title":"t","default":3,"x-kubernetes-list-type":"set"}"#, "1"),
        // $ref
        Case(
            ##"{"$defs":{"pos":{"type":"number","minimum":0}},"properties":{"n":{"$ref":"#/$defs/pos"}}}"##,
            #"{"n":-1}"#, ["/n minimum"]),
        Case(
            #"{"$defs":{"a/b":{"type":"string"},"c~d":{"type":"integer"},"e f":{"type":"null"}},"#
                + ##""properties":{"x":{"$ref":"#/$defs/a~1b"},"y":{"$ref":"#/$defs/c~0d"},"z":{"$ref":"#/$defs/e%20f"}}}"##,
            #"{"x":1,"y":"s","z":0}"#, ["/x type", "/y type", "/z type"]),
        Case(##"{"definitions":{"s":{"type":"string"}},"items":{"$ref":"#/definitions/s"}}"##, "[1]", ["/0 type"]),
        Case(##"{"$defs":{"n":{"$anchor":"name","type":"string"}},"$ref":"#name"}"##, "1", ["# type"]),
        Case(
            ##"{"$id":"https://example.com/root","$defs":{"s":{"$id":"s","type":"string"}},"$ref":"s"}"##, "1",
            ["# type"]),
        Case(
            ##"{"type":"object","required":["name"],"properties":{"children":{"type":"array","items":{"$ref":"#"}}}}"##,
            #"{"name":"r","children":[{"name":"a","children":[{}]}]}"#, ["/children/0/children/0 required"]),
        Case(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##, "1", ["# $ref"]),
        Case(##"{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#"}}}"##, "[]", ["# $ref"]),
    ]

    @Test("checks each keyword and reports where and which keyword failed", arguments: keywordCases)
    func keyword(_ testCase: Case) throws {
        let schema = try JSONSchema(compiling: try JSONParser.parse(testCase.schema))
        let instance = try JSONParser.parse(testCase.instance)
        let violations = schema.validate(instance)
        let described = violations.map { "\($0.instancePath.isEmpty ? "#" : $0.instancePath) \($0.keyword)" }
        #expect(described == testCase.violations, "\(violations)")
        #expect(schema.isValid(instance) == testCase.violations.isEmpty)
    }

    static let messageCases: [(String, String, String)] = [
        (#"{"minimum":5}"#, "3", "must be at least 5, got 3"),
        (#"{"exclusiveMaximum":2.5}"#, "2.5", "must be less than 2.5, got 2.5"),
        (#"{"type":["string","null"]}"#, "1", "must be [null, string], got number"),
        (#"{"required":["name"]}"#, "{}", #"missing required property "name""#),
        (#"{"additionalProperties":false}"#, #"{"x":1}"#, #"the property "x" is not allowed"#),
        (#"{"maxLength":3}"#, #""abcd""#, "must be at most 3 characters long, got 4"),
        (#"{"enum":["a","b"]}"#, #""c""#, #"must be one of: "a", "b""#),
        (#"{"uniqueItems":true}"#, "[1,2,1]", "items 0 and 2 are equal"),
        (#"{"pattern":"^a+$"}"#, #""b""#, #"must match the pattern "^a+$""#),
        (#"{"oneOf":[true,true]}"#, "1", "matches 2 (at indices 0, 1)"),
    ]

    @Test("writes messages a user can act on", arguments: messageCases)
    func message(schema: String, instance: String, expected: String) throws {
        let compiled = try JSONSchema(compiling: try JSONParser.parse(schema))
        let violations = compiled.validate(try JSONParser.parse(instance))
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains(expected) == true, "\(violations)")
    }

    @Test("stops reporting after a bounded number of violations")
    func boundedReport() throws {
        let schema = try JSONSchema(compiling: ["items": ["type": "string"]])
        let instance = JSONValue.array(Array(repeating: 1, count: 1000))
        #expect(schema.validate(instance).count == SchemaEvaluator.maxReportedViolations)
        #expect(!schema.isValid(instance))
    }

    @Test("reports a pattern that exceeds its matching work limit as a violation")
    func patternLimit() throws {
        let schema = try JSONSchema(compiling: ["pattern": "(a+)+$"])
        let violations = schema.validate(.string(String(repeating: "a", count: 40) + "!"))
        #expect(violations.map(\.keyword) == ["pattern"])
        #expect(violations.first?.message.contains("could not be checked") == true, "\(violations)")
    }

    /// An invalid schema, the path of the error inside it, and words its message contains.
    static let invalidSchemas: [(String, String, String)] = [
        ("5", "", "must be a schema (an object or a boolean), got number"),
        (#"{"type":"strin"}"#, "type", "got 'strin'"),
        (#"{"type":["string",1]}"#, "type[1]", "must be a type name"),
        (#"{"properties":{"age":{"minimum":"0"}}}"#, "properties.age.minimum", "must be a number, got string"),
        (#"{"minLength":-1}"#, "minLength", "non-negative integer"),
        (#"{"maxItems":1.5}"#, "maxItems", "non-negative integer"),
        (#"{"required":"a"}"#, "required", "must be an array of strings"),
        (#"{"required":["a",2]}"#, "required[1]", "must be a string, got number"),
        (#"{"multipleOf":0}"#, "multipleOf", "must be greater than 0"),
        (#"{"exclusiveMinimum":true}"#, "exclusiveMinimum", "must be a number, got boolean"),
        (#"{"uniqueItems":"yes"}"#, "uniqueItems", "must be a boolean"),
        (#"{"pattern":"(unclosed"}"#, "pattern", "invalid regular expression"),
        (#"{"patternProperties":{"[":{}}}"#, "patternProperties.[", "invalid regular expression"),
        (##"{"$defs":{},"$ref":"#/$defs/missing"}"##, "$ref", "has nothing at 'missing'"),
        (##"{"$ref":"other.json"}"##, "$ref", "references to other documents are not supported"),
        (##"{"$ref":"#nope"}"##, "$ref", "no $anchor named 'nope'"),
        (##"{"$ref":3}"##, "$ref", "must be a string"),
        (#"{"allOf":[{"type":"string"},3]}"#, "allOf[1]", "must be a schema"),
        (#"{"allOf":{}}"#, "allOf", "must be an array"),
        (#"{"items":{"properties":{"x":{"enum":3}}}}"#, "items.properties.x.enum", "must be an array"),
        (#"{"$defs":{"unused":{"type":7}}}"#, "$defs.unused.type", "must be a type name"),
        (#"{"dependentRequired":{"a":[1]}}"#, "dependentRequired.a[0]", "must be a string"),
        (#"{"$id":"https://example.com/s#frag"}"#, "$id", "must not have a fragment"),
    ]

    @Test("rejects invalid schemas with the path of the mistake", arguments: invalidSchemas)
    func invalidSchema(schema: String, path: String, message: String) throws {
        let document = try JSONParser.parse(schema)
        let error = #expect(throws: JSONSchemaError.self) { try JSONSchema(compiling: document) }
        #expect(error?.path == path)
        #expect(error?.message.contains(message) == true, "message was: \(error?.message ?? "")")
    }

    @Test(
        "translates ECMA-262 Unicode property names for PCRE2",
        arguments: [
            (#"^\p{Letter}+$"#, #"^\p{L}+$"#),
            (#"\P{Decimal_Number}\p{Lu}"#, #"\P{Nd}\p{Lu}"#),
            (#"\p{Script=Greek}"#, #"\p{Greek}"#),
            (#"\\p{Letter}"#, #"\\p{Letter}"#),
            (#"a\d\p"#, #"a\d\p"#),
        ])
    func propertyNames(ecma: String, pcre: String) {
        #expect(SchemaPattern.translatingPropertyNames(ecma) == pcre)
    }

    @Test("a compiled schema is shared by concurrent validations")
    func concurrentUse() async throws {
        let schema = try JSONSchema(compiling: try JSONParser.parse(#"{"items":{"type":"integer","minimum":0}}"#))
        let results = await withTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask { schema.validate(.array([.number(Double(i)), -1])).count }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: 1, count: 8))
    }

    @Test("validates a document nested to the parser's limit against a recursive schema")
    func deepRecursion() throws {
        let schema = try JSONSchema(
            compiling: try JSONParser.parse(
                ##"{"anyOf":[{"type":"integer"},{"type":"array","items":{"$ref":"#"}}]}"##))
        let depth = JSONLimits.defaultMaxDepth
        let valid = try JSONParser.parse(
            String(repeating: "[", count: depth - 1) + "[1]" + String(repeating: "]", count: depth - 1))
        #expect(schema.isValid(valid))
        #expect(schema.validate(valid).isEmpty)
        let invalid = try JSONParser.parse(
            String(repeating: "[", count: depth - 1) + "[\"x\"]" + String(repeating: "]", count: depth - 1))
        #expect(!schema.isValid(invalid))
        #expect(schema.validate(invalid).map(\.keyword) == ["anyOf"])
    }

    @Test("stops a value nested deeper than the evaluation limit with a violation, not a crash")
    func evaluationDepthLimit() throws {
        let schema = try JSONSchema(compiling: try JSONParser.parse(##"{"items":{"$ref":"#"}}"##))
        var value: JSONValue = 1
        for _ in 0..<(SchemaEvaluator.maxDepth + 10) { value = [value] }
        let violations = schema.validate(value)
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("deeper than \(SchemaEvaluator.maxDepth) levels") == true)
    }

    /// Keys whose `/` or `~` is followed by a combining mark (U+064D): one `Character` with it.
    static let pointerKeys: [(String, String)] = [
        ("a/\u{64D}b", "/a~1\u{64D}b"), ("~\u{64D}", "/~0\u{64D}"), ("\u{64D}/", "/\u{64D}~1"), ("x~1/", "/x~01~1"),
    ]

    @Test(
        "escapes each / and ~ of a key in a violation's JSON pointer, even before a combining mark",
        arguments: pointerKeys)
    func pointerEscapes(key: String, pointer: String) throws {
        let schema = try JSONSchema(compiling: ["additionalProperties": false])
        let violations = schema.validate(.object(JSONObject([(key, 1)])))
        #expect(violations.map(\.instancePath).map { Array($0.unicodeScalars) } == [Array(pointer.unicodeScalars)])
        let token = String(String.UnicodeScalarView(pointer.unicodeScalars.dropFirst()))
        #expect(SchemaPath.unescape(Substring(token)).unicodeScalars.elementsEqual(key.unicodeScalars))
    }

    @Test(
        "a $ref pointer whose token starts with a combining mark resolves (split by Unicode scalars, not Characters)",
        arguments: ["\u{064D}x", "~\u{0301}", "a/\u{0301}b"])
    func refPointerWithCombiningMark(key: String) throws {
        let token = SchemaPath.escape(key)
        let schema = try JSONSchema(compiling: [
            "$defs": .object(JSONObject([(key, ["type": "integer"])])),
            "$ref": .string("#/$defs/" + token),
        ])
        #expect(schema.validate(3).isEmpty)
        #expect(schema.validate("three").map(\.keyword) == ["type"])
    }
}
