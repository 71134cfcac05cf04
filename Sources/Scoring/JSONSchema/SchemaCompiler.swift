import AssayCore

/// Turns a schema document into ``SchemaNode``s.
///
/// Two passes: the first walks every subschema to learn the base URI in effect at each one
/// and to register `$id` resources and `$anchor`s; the second compiles nodes on demand from
/// the root, following `$ref`s to the locations they name. A node is registered before its
/// subschemas are compiled, so recursive references become index cycles.
struct SchemaCompiler {
    let document: JSONValue
    var nodes: [SchemaNode] = []
    /// Compiled node for each JSON Pointer (from the document root) already visited.
    private var nodeAt: [String: Int] = [:]
    /// Schema resources by absolute URI (without fragment).
    private var resources: [String: [SchemaPathToken]] = [:]
    /// Plain-name fragments: `uri#name` to location.
    private var anchors: [String: [SchemaPathToken]] = [:]
    /// Base URI in effect at each subschema, by JSON Pointer.
    private var baseAt: [String: SchemaURI] = [:]

    /// Base URI of a schema without `$id`; only its identity matters, as nothing is fetched.
    static let defaultBase = SchemaURI(parsing: "urn:assay:json-schema")

    /// Keywords whose value is one subschema.
    static let singleSchemaKeywords: [String] = [
        "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
    ]
    /// Keywords whose value is an array of subschemas.
    static let schemaArrayKeywords: [String] = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]
    /// Keywords whose value is an object of subschemas.
    static let schemaMapKeywords: [String] = [
        "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
    ]

    init(document: JSONValue) {
        self.document = document
    }

    // MARK: Pass 1: identifiers

    mutating func indexIdentifiers() throws(JSONSchemaError) {
        resources[Self.defaultBase.text] = []
        try index(document, at: [], base: Self.defaultBase)
    }

    private mutating func index(
        _ value: JSONValue, at location: [SchemaPathToken], base: SchemaURI
    ) throws(JSONSchemaError) {
        guard case .object(let object) = value else { return }
        var base = base
        if case .string(let id)? = object["$id"] {
            let resolved = base.resolving(SchemaURI(parsing: id))
            if let fragment = resolved.fragment, !fragment.isEmpty {
                throw JSONSchemaError(
                    path: SchemaPath.dotted(location + [.key("$id")]),
                    message: "'\(id)' must not have a fragment; use $anchor to name a subschema")
            }
            base = resolved.withoutFragment
            resources[base.text] = location
        }
        baseAt[SchemaPath.pointer(location)] = base
        for keyword in ["$anchor", "$dynamicAnchor"] {
            if case .string(let name)? = object[keyword] { anchors[base.text + "#" + name] = location }
        }
        for keyword in Self.singleSchemaKeywords {
            if let sub = object[keyword] { try index(sub, at: location + [.key(keyword)], base: base) }
        }
        for keyword in Self.schemaArrayKeywords {
            guard case .array(let subs)? = object[keyword] else { continue }
            for (i, sub) in subs.enumerated() {
                try index(sub, at: location + [.key(keyword), .index(i)], base: base)
            }
        }
        for keyword in Self.schemaMapKeywords {
            guard case .object(let subs)? = object[keyword] else { continue }
            for name in subs.keys {
                try index(subs[name]!, at: location + [.key(keyword), .key(name)], base: base)
            }
        }
    }

    // MARK: Pass 2: nodes

    /// The node for the subschema at `location`, compiling it on first use.
    mutating func compile(at location: [SchemaPathToken]) throws(JSONSchemaError) -> Int {
        let pointer = SchemaPath.pointer(location)
        if let existing = nodeAt[pointer] { return existing }
        let value = try self.value(at: location)
        let index = nodes.count
        nodes.append(SchemaNode())
        nodeAt[pointer] = index
        let node = try compileNode(value, at: location, base: baseAt[pointer] ?? base(at: location))
        nodes[index] = node
        return index
    }

    private func value(at location: [SchemaPathToken]) throws(JSONSchemaError) -> JSONValue {
        var value = document
        for token in location {
            switch (token, value) {
            case (.key(let key), .object(let object)) where object[key] != nil: value = object[key]!
            case (.index(let i), .array(let array)) where array.indices.contains(i): value = array[i]
            default:
                throw JSONSchemaError(path: SchemaPath.dotted(location), message: "no such location in the schema")
            }
        }
        return value
    }

    /// The base URI at a location the first pass did not visit (reached through a JSON
    /// Pointer `$ref`): the `$id`s of the objects along the way, applied in order.
    private func base(at location: [SchemaPathToken]) -> SchemaURI {
        var base = Self.defaultBase
        var value = document
        var step = 0
        while true {
            if case .string(let id)? = value["$id"] { base = base.resolving(SchemaURI(parsing: id)).withoutFragment }
            guard step < location.count else { return base }
            switch (location[step], value) {
            case (.key(let key), .object(let object)): value = object[key] ?? .null
            case (.index(let i), .array(let array)) where array.indices.contains(i): value = array[i]
            default: return base
            }
            step += 1
        }
    }

    private mutating func compileNode(
        _ value: JSONValue, at location: [SchemaPathToken], base: SchemaURI
    ) throws(JSONSchemaError) -> SchemaNode {
        let object: JSONObject
        switch value {
        case .bool(let verdict): return SchemaNode(verdict: verdict)
        case .object(let o): object = o
        default:
            throw JSONSchemaError(
                path: SchemaPath.dotted(location),
                message: "must be a schema (an object or a boolean), got \(value.typeName)")
        }
        let reader = SchemaKeywordReader(object: object, location: location)
        var node = SchemaNode()

        try reader.requireString("$id")
        try reader.requireString("$anchor")
        try reader.requireString("$schema")
        try reader.requireString("$comment")
        if let ref = try reader.string("$ref") {
            node.ref = try compile(at: resolve(ref, base: base, at: reader.path("$ref")))
        }
        if let ref = try reader.string("$dynamicRef") {
            // Resolved statically, like $ref: right whenever no outer schema resource overrides
            // the $dynamicAnchor, which is how most schemas use it.
            node.dynamicRef = try compile(at: resolve(ref, base: base, at: reader.path("$dynamicRef")))
        }

        node.types = try reader.types()
        node.enumValues = try reader.array("enum")
        if let constant = object["const"] { node.constValue = .some(constant) }

        node.allOf = try subschemaArray("allOf", reader)
        node.anyOf = try subschemaArray("anyOf", reader)
        node.oneOf = try subschemaArray("oneOf", reader)
        node.not = try subschema("not", reader)
        node.ifSchema = try subschema("if", reader)
        node.thenSchema = try subschema("then", reader)
        node.elseSchema = try subschema("else", reader)

        node.minimum = try reader.number("minimum")
        node.maximum = try reader.number("maximum")
        node.exclusiveMinimum = try reader.number("exclusiveMinimum")
        node.exclusiveMaximum = try reader.number("exclusiveMaximum")
        node.multipleOf = try reader.number("multipleOf")
        if let divisor = node.multipleOf, divisor <= 0 {
            throw reader.error("multipleOf", "must be greater than 0, got \(SchemaFormat.number(divisor))")
        }

        node.minLength = try reader.count("minLength")
        node.maxLength = try reader.count("maxLength")
        if let source = try reader.string("pattern") {
            node.pattern = try reader.pattern(source, at: reader.path("pattern"))
        }

        if case .array = object["items"] {
            // The array form of `items` is draft 2019-09 and earlier; it means prefixItems there,
            // with `additionalItems` for the rest. Accepted so that older schemas keep working.
            node.prefixItems = try subschemaArray("items", reader)
            node.items = try subschema("additionalItems", reader)
        } else {
            node.prefixItems = try subschemaArray("prefixItems", reader)
            node.items = try subschema("items", reader)
        }
        node.contains = try subschema("contains", reader)
        node.minContains = try reader.count("minContains")
        node.maxContains = try reader.count("maxContains")
        node.minItems = try reader.count("minItems")
        node.maxItems = try reader.count("maxItems")
        node.uniqueItems = try reader.bool("uniqueItems") ?? false
        node.unevaluatedItems = try subschema("unevaluatedItems", reader)
        node.unevaluatedProperties = try subschema("unevaluatedProperties", reader)

        if let properties = try reader.object("properties") {
            for name in properties.keys {
                node.properties[name] = try compile(at: location + [.key("properties"), .key(name)])
            }
        }
        if let patterns = try reader.object("patternProperties") {
            for source in patterns.keys {
                let schemaLocation = location + [.key("patternProperties"), .key(source)]
                let pattern = try reader.pattern(source, at: SchemaPath.dotted(schemaLocation))
                node.patternProperties.append((pattern, try compile(at: schemaLocation)))
            }
        }
        node.additionalProperties = try subschema("additionalProperties", reader)
        node.propertyNames = try subschema("propertyNames", reader)
        node.required = try reader.strings("required") ?? []
        node.minProperties = try reader.count("minProperties")
        node.maxProperties = try reader.count("maxProperties")
        if let dependencies = try reader.object("dependentRequired") {
            for name in dependencies.keys {
                node.dependentRequired.append(
                    (name, try reader.strings(in: dependencies[name]!, at: ["dependentRequired", name])))
            }
        }
        if let dependencies = try reader.object("dependentSchemas") {
            for name in dependencies.keys {
                node.dependentSchemas.append(
                    (name, try compile(at: location + [.key("dependentSchemas"), .key(name)])))
            }
        }
        if let dependencies = try reader.object("dependencies") {
            // Draft 7's combined form: an array means dependentRequired, a schema dependentSchemas.
            for name in dependencies.keys {
                if case .array(let names) = dependencies[name]! {
                    node.dependentRequired.append(
                        (name, try reader.strings(in: .array(names), at: ["dependencies", name])))
                } else {
                    node.dependentSchemas.append(
                        (name, try compile(at: location + [.key("dependencies"), .key(name)])))
                }
            }
        }
        if let definitions = try reader.object("$defs") {
            // Compiled so that mistakes in unused definitions are still reported.
            for name in definitions.keys { _ = try compile(at: location + [.key("$defs"), .key(name)]) }
        }
        return node
    }

    private mutating func subschema(_ keyword: String, _ reader: SchemaKeywordReader) throws(JSONSchemaError) -> Int? {
        guard reader.object[keyword] != nil else { return nil }
        return try compile(at: reader.location + [.key(keyword)])
    }

    private mutating func subschemaArray(
        _ keyword: String, _ reader: SchemaKeywordReader
    ) throws(JSONSchemaError) -> [Int] {
        guard let elements = try reader.array(keyword) else { return [] }
        var out: [Int] = []
        for i in elements.indices { out.append(try compile(at: reader.location + [.key(keyword), .index(i)])) }
        return out
    }

    // MARK: References

    /// The location a `$ref` names: a resource by `$id`, then a JSON Pointer or `$anchor`
    /// inside it.
    private func resolve(_ ref: String, base: SchemaURI, at path: String) throws(JSONSchemaError) -> [SchemaPathToken] {
        let target = base.resolving(SchemaURI(parsing: ref))
        let resourceURI = target.withoutFragment.text
        guard let resource = resources[resourceURI] else {
            throw JSONSchemaError(
                path: path,
                message: "cannot resolve '\(ref)': no schema in this document has $id '\(resourceURI)' "
                    + "(references to other documents are not supported)")
        }
        guard let fragment = SchemaURI.percentDecoded(target.fragment ?? "") else {
            throw JSONSchemaError(path: path, message: "'\(ref)' has a malformed percent-escape")
        }
        if fragment.isEmpty { return resource }
        // A JSON pointer is split by Unicode scalars: a `/` before a combining mark is one
        // `Character` with it, so a split by Characters would miss that separator.
        let scalars = fragment.unicodeScalars
        if scalars.first != "/" {
            guard let anchored = anchors[resourceURI + "#" + fragment] else {
                throw JSONSchemaError(path: path, message: "cannot resolve '\(ref)': no $anchor named '\(fragment)'")
            }
            return anchored
        }
        var location = resource
        var value = try self.value(at: resource)
        for raw in scalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = SchemaPath.unescape(Substring(raw))
            switch value {
            case .object(let object) where object[token] != nil:
                location.append(.key(token))
                value = object[token]!
            case .array(let array) where Int(token).map(array.indices.contains) == true:
                location.append(.index(Int(token)!))
                value = array[Int(token)!]
            default:
                throw JSONSchemaError(
                    path: path, message: "cannot resolve '\(ref)': the schema has nothing at '\(token)'")
            }
        }
        return location
    }
}
